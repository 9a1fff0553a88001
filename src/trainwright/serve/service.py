"""The served model as the routes see it: one Predictor behind the micro-batcher, its schema and readiness."""

from __future__ import annotations

from fastapi import HTTPException

from ..errors import TrainwrightError
from ..log import logger
from ..predictor import Predictions, Predictor
from .batching import BatcherClosed, MicroBatcher
from .metrics import ServerMetrics
from .predictions import take_rows
from .schemas import InputSchema
from .settings import ServeSettings


class ModelService:
    def __init__(self, predictor: Predictor, name: str, settings: ServeSettings, metrics: ServerMetrics):
        self.predictor = predictor
        self.name = name
        self.task = predictor.task
        self.classes = None if self.task == "regression" else list(predictor.target.classes_)
        self.schema = InputSchema.from_predictor(predictor)
        self.metrics = metrics
        self.ready = False
        self.batcher = MicroBatcher(self._predict_batch, take_rows, settings.max_batch_size, settings.max_wait_ms,
                                    on_batch=self._observe_batch)

    async def start(self) -> None:
        """Start the worker and run one prediction through it, so the first client does not pay for warm-up."""
        self.batcher.start()
        await self.batcher.submit(self.schema.example_inputs())
        self.ready = True

    def stop(self) -> None:
        self.ready = False
        self.batcher.stop()

    async def predict(self, inputs: list) -> Predictions:
        """Predictions for these inputs, or an HTTPException: 422 for inputs the model cannot use, 503 while
        shutting down, 500 (logged with its traceback) for anything unexpected."""
        try:
            return await self.batcher.submit(inputs)
        except TrainwrightError as error:
            raise HTTPException(422, str(error)) from None
        except BatcherClosed as error:
            raise HTTPException(503, str(error)) from None
        except Exception as error:
            logger.exception("Prediction failed")
            raise HTTPException(500, f"Prediction failed ({type(error).__name__}); the server log has the "
                                     "details.") from None

    def _predict_batch(self, inputs: list) -> Predictions:
        return self.predictor.predict(inputs, source="request")

    def _observe_batch(self, size: int, seconds: float) -> None:
        if self.ready:  # the warm-up batch is not traffic
            self.metrics.observe_batch(size, seconds)
