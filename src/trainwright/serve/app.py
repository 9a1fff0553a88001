"""`create_app`: the FastAPI application that serves one saved model."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from ..predictor import Predictor
from ..version import __version__
from .auth import token_guard
from .docs import add_docs
from .errors import install_error_handlers
from .image_page import render_image_page
from .image_routes import image_router
from .limits import BodyLimitMiddleware
from .metadata import model_metadata
from .metrics import MetricsMiddleware, ServerMetrics
from .open_inference import open_inference_router
from .page import render_page
from .routes import api_router
from .schemas import build_api_models
from .service import ModelService
from .settings import ServeSettings


def create_app(predictor: Predictor, name: str, settings: ServeSettings | None = None) -> FastAPI:
    """An app serving `predictor` under `name`. Every route shares the one predictor, which only the batching
    worker thread calls; the worker starts, and the model is warmed up, when the app starts (its lifespan)."""
    settings = settings or ServeSettings()
    metrics = ServerMetrics()
    service = ModelService(predictor, name, settings, metrics)
    models = build_api_models(service.schema, service.task, service.classes, settings.max_inputs)
    guard = token_guard(settings.token)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await service.start()
        try:
            yield
        finally:
            service.stop()  # finishes the batches already queued

    columns = service.schema.columns
    # docs and openapi.json: added by add_docs, offline and behind the token; no ReDoc (it needs a CDN)
    app = FastAPI(title=f"{name} · trainwright", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,
                  description=(f"A {service.task} model predicting `{predictor.target_column}` from "
                               f"{', '.join(f'`{c}`' for c in columns)}. Served by trainwright."))
    app.state.service = service
    if service.schema.images:
        app.include_router(image_router(service, models.response, settings.max_inputs, guard))
    app.include_router(api_router(service, models, model_metadata(service, settings), metrics, guard))
    app.include_router(open_inference_router(service, settings.max_inputs, settings.backend, guard))

    add_docs(app, guard)
    render = render_image_page if service.schema.images else render_page
    page = render(service, needs_token=settings.token is not None)

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def home():
        return HTMLResponse(page)

    install_error_handlers(app, columns)
    # Added last is outermost: metrics see every response, including the body limit's 413.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics, route_paths=lambda: list(app.openapi()["paths"]))
    return app
