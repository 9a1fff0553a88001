"""`create_forecast_app`: the FastAPI application that serves one forecast run (`trainwright serve` picks it,
or create_app for a model, by the folder's kind)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from ..version import __version__
from .auth import token_guard
from .docs import add_docs
from .errors import install_error_handlers
from .forecast_page import render_forecast_page
from .forecast_routes import forecast_metadata, forecast_router
from .limits import BodyLimitMiddleware
from .settings import ServeSettings


def create_forecast_app(forecaster, name: str, settings: ServeSettings | None = None) -> FastAPI:
    """An app forecasting newer histories with the models `forecaster`'s run chose, under `name`.
    `forecaster`: a RunForecaster (train/forecast_predict.py), which the CLI loads: serve sits beside train."""
    settings = settings or ServeSettings()
    guard = token_guard(settings.token)
    columns = forecaster.columns
    app = FastAPI(title=f"{name} · trainwright", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  description=(f"A forecast of the next {forecaster.horizon} periods of `{columns['target']}` "
                               f"per series, with the quantiles {forecaster.quantiles}. Served by trainwright."))
    metadata = forecast_metadata(forecaster, name)
    app.include_router(forecast_router(forecaster, name, metadata, guard))
    add_docs(app, guard)
    page = render_forecast_page(metadata, needs_token=settings.token is not None)

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def home():
        return HTMLResponse(page)

    install_error_handlers(app, [c for c in (columns["id"], columns["time"], columns["target"]) if c])
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app
