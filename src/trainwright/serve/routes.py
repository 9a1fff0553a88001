"""The server's own routes: POST /predict, the probes /health and /ready, /metadata and /metrics."""

# No `from __future__ import annotations`: FastAPI reads the generated request model from the live annotation.

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from .json_body import JsonRoute
from .metrics import ServerMetrics
from .predictions import prediction_rows
from .schemas import ApiModels
from .service import ModelService


def api_router(service: ModelService, models: ApiModels, metadata: dict, metrics: ServerMetrics,
               guard=None) -> APIRouter:
    # strict_content_type off: a body without a Content-Type is read as JSON (see json_body.py)
    router = APIRouter(route_class=JsonRoute, strict_content_type=False)
    protected = [Depends(guard)] if guard is not None else []
    kind = "texts" if models.record is None else f"records with the columns {', '.join(service.schema.columns)}"

    if not service.schema.images:  # an image model's /predict reads files: image_routes.py
        @router.post("/predict", response_model=models.response, dependencies=protected, tags=["prediction"],
                     summary=f"Predict {service.predictor.target_column}",
                     description=f"Send {kind}; get one prediction per input, in order.")
        async def predict(body: models.request):
            predictions = await service.predict(models.inputs(body))
            return {"model": service.name, "predictions": prediction_rows(predictions, service.task)}

    @router.get("/health", tags=["health"], summary="The server is alive")
    async def health():
        return {"status": "ok"}

    @router.get("/ready", tags=["health"], summary="The model is loaded and warmed up",
                responses={503: {"description": "Not ready (starting or shutting down)"}})
    async def ready():
        return JSONResponse({"ready": service.ready}, status_code=200 if service.ready else 503)

    @router.get("/metadata", dependencies=protected, tags=["metadata"],
                summary="Task, labels, input schema, saved metrics and versions")
    async def model_metadata():
        return {**metadata, "ready": service.ready}

    @router.get("/metrics", dependencies=protected, tags=["metadata"], summary="Prometheus metrics",
                response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    async def prometheus_metrics():
        return Response(metrics.exposition(), media_type=metrics.content_type)

    return router
