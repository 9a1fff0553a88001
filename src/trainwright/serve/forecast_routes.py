"""The routes of a served forecast run: POST /forecast, GET /series, the probes /health and /ready, /metadata.

POST /forecast takes a newer history, as records in the run's columns or as arrays per series, and answers per
series the next horizon's dates, the point forecast and each quantile, by the model the run chose for it (the
run's RunForecaster of train/forecast_predict.py, as `trainwright predict RUN NEWER.csv` does; passed in, as
serve sits beside train).
"""

# No `from __future__ import annotations`: FastAPI reads the request models from the live annotations.

from typing import Optional, Union

import numpy as np
from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..errors import TrainwrightError
from ..log import logger
from .forecast_history import ARRAY_COLUMNS, arrays_frame, records_frame
from .json_body import JsonRoute


class SeriesValues(BaseModel):
    """One series as an array: its values, oldest first, from `start` on the run's frequency, or at `dates`."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field("series", description="The series' id; a series the run knows keeps its model.")
    start: Optional[str] = Field(None, description="The date of the first value, e.g. 2020-01.")
    dates: Optional[list[str]] = Field(None, description="One date per value, instead of start.")
    values: list[Optional[float]] = Field(..., min_length=2, description="The observations; null where missing.")


class ForecastRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: Optional[list[dict[str, Union[str, float, None]]]] = Field(
        None, min_length=1, description="One object per observation, keyed by the run's id, time and target columns.")
    series: Optional[list[SeriesValues]] = Field(None, min_length=1, description="Or one array per series.")
    include_history: bool = Field(False, description="Also answer each series' history, as the run reads it.")


def forecast_router(forecaster, name: str, metadata: dict, guard=None) -> APIRouter:
    router = APIRouter(route_class=JsonRoute, strict_content_type=False)
    protected = [Depends(guard)] if guard is not None else []
    frequencies = {s["id"]: s["frequency"] for s in forecaster.record["series"]}

    @router.post("/forecast", dependencies=protected, tags=["forecast"],
                 summary=f"Forecast the next {forecaster.horizon} periods",
                 description="Send a history (records or arrays); get, per series, the dates of the next periods, "
                             "the point forecast and each quantile, by the model the run chose for it.")
    async def forecast(body: ForecastRequest):
        if (body.records is None) == (body.series is None):
            raise HTTPException(422, 'body: send either "records" (one object per observation) or "series" (one '
                                     'array per series), not both and not neither.')
        return await run_in_threadpool(_forecast, forecaster, name, body, frequencies)

    @router.get("/series", dependencies=protected, tags=["forecast"], summary="The series the run knows")
    async def series():
        return {"series": [{"id": s["id"], "model": s["model"], "frequency": s["frequency"],
                            "history": s["history"]} for s in forecaster.record["series"]]}

    @router.get("/health", tags=["health"], summary="The server is alive")
    async def health():
        return {"status": "ok", "task": "forecast"}

    @router.get("/ready", tags=["health"], summary="The run is loaded")
    async def ready():
        return {"ready": True}

    @router.get("/metadata", dependencies=protected, tags=["metadata"],
                summary="Task, horizon, frequency, quantiles, columns and the models chosen")
    async def model_metadata():
        return {**metadata, "ready": True}

    return router


def forecast_metadata(forecaster, name: str) -> dict:
    series = forecaster.record["series"]
    frequencies = sorted({s["frequency"] for s in series})
    return {"name": name, "task": "forecast", "horizon": forecaster.horizon, "quantiles": forecaster.quantiles,
            "frequency": frequencies[0] if len(frequencies) == 1 else frequencies,
            "columns": forecaster.columns, "file": forecaster.record.get("file"),
            "models": {s["id"]: s["model"] for s in series}, "leaderboard": forecaster.record["leaderboard"]}


def _forecast(forecaster, name: str, body: ForecastRequest, frequencies: dict) -> dict:
    """The response of POST /forecast; a user error is a 422 naming the series or field, anything else a short
    500 (its traceback in the server log)."""
    try:
        if body.records is not None:
            frame, source = records_frame(body.records, forecaster.columns, forecaster.config.forecast.covariates), "records"
            panel = forecaster.read(frame, source)
        else:  # arrays carry the target alone: a run that reads covariates is told to send records
            default = max(set(frequencies.values()), key=list(frequencies.values()).count)
            panel = forecaster.read(arrays_frame([s.model_dump() for s in body.series], frequencies, default),
                                    "series", columns=ARRAY_COLUMNS)
            frame, source = None, "series"
        table = forecaster.forecast_panel(panel, frame, source)
    except TrainwrightError as error:
        raise HTTPException(422, str(error)) from None
    except Exception as error:
        logger.exception("Forecast failed")
        raise HTTPException(500, f"Forecast failed ({type(error).__name__}); the server log has the details.") from None
    levels = [c for c in table.columns if c not in ("id", "date", "point")]
    forecasts = []
    for key, rows in table.groupby("id", sort=False):
        entry = {"id": key, "model": forecaster.model_of(key), "known": key in forecaster.chosen,
                 "dates": rows["date"].tolist(), "point": _numbers(rows["point"]),
                 "quantiles": {level: _numbers(rows[level]) for level in levels}}
        if body.include_history:
            history = panel[key].values
            entry["history"] = {"dates": [d.isoformat()[:10] if d == d.normalize() else d.isoformat()
                                          for d in history.index], "values": _numbers(history)}
        forecasts.append(entry)
    return {"model": name, "horizon": forecaster.horizon, "quantiles": forecaster.quantiles, "forecasts": forecasts}


def _numbers(values) -> list:
    """Floats for JSON, null where missing."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]
