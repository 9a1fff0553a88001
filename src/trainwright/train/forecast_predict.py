"""`trainwright predict RUN [FILE]` for a forecast run: its saved forecasts, or forecasts from a newer history.

From a newer history the models chosen in training are kept, never chosen again: naive and seasonal naive
forecast from the new history as they are; N-BEATS runs its saved weights on each series' new last lookback;
ETS, ARIMA, Theta and their combination are fit again on the new history, of the same kind, their form (ETS's
components, ARIMA's orders) chosen again by the same criterion on it: the form that fit the old history need
not fit the new one, and the fit takes a second. A series the run did not know is forecast by seasonal naive.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..data import read_table
from ..data.layout import Layout
from ..errors import ArtifactError
from ..forecast.baselines import BASELINES
from ..forecast.series import read_panel
from ..log import logger
from .forecast_learned import load_learned
from .forecast_record import future_dates, iso_dates, load_forecast_run

FALLBACK = "seasonal_naive"


def saved_forecasts(run: str | Path) -> pd.DataFrame:
    """The forecasts the run saved (forecasts.csv): id, date, point and one column per quantile."""
    load_forecast_run(run)  # a clear message when the folder is not a forecast run
    try:
        return pd.read_csv(Path(run) / "forecasts.csv", dtype={"id": str})
    except (OSError, ValueError) as e:
        raise ArtifactError(f"{run}/forecasts.csv cannot be read ({e}): train the run again.") from None


def forecast_history(run: str | Path, data: str | Path) -> pd.DataFrame:
    """The next horizon after each series' end in `data` (a newer history, the run's columns), by the models
    the run chose; the same columns as forecasts.csv."""
    config, record = load_forecast_run(run)
    fc, columns = config.forecast, record["columns"]
    frame = read_table(data, config.data.encoding, Layout.of(config.data))
    panel = read_panel(frame, str(data), id=columns["id"], time=columns["time"], target=columns["target"],
                       min_length=2, fill=fc.fill, duplicates=fc.duplicates)
    for finding in panel.findings:
        logger.info(str(finding))
    chosen = {s["id"]: s["model"] for s in record["series"]}
    seasons = {s["id"]: s["season_length"] for s in record["series"]}
    unknown = [key for key in panel.ids if key not in chosen]
    if unknown:
        logger.info(f"{len(unknown)} series the run did not forecast ({', '.join(unknown[:5])}"
                    f"{', ...' if len(unknown) > 5 else ''}): forecast by {FALLBACK}.")
    learned_ids = [key for key in panel.ids if chosen.get(key) == "nbeats"]
    forecasts = {}
    if learned_ids:
        learned = load_learned(Path(run))
        forecasts = learned.forecast({key: panel[key].to_numpy() for key in learned_ids}, fc.quantiles)
    frames = []
    for series in panel:
        model = chosen.get(series.id, FALLBACK)
        season = seasons.get(series.id, series.season_length)
        if series.id in forecasts:
            forecast = forecasts[series.id]
        else:
            forecast = BASELINES[model]().fit(series.to_numpy(), season).forecast(fc.horizon, fc.quantiles)
        frames.append(pd.DataFrame({"id": series.id, "date": iso_dates(future_dates(series, fc.horizon)),
                                    "point": forecast.point,
                                    **{str(float(q)): v for q, v in sorted(forecast.quantiles.items())}}))
    return pd.concat(frames, ignore_index=True)
