"""trainwright: from a raw labeled table to a validated, saved, servable deep-learning model."""

__version__ = "0.1.0"

from .artifact import Artifact, load_artifact  # noqa: E402
from .config import RunConfig, build_config  # noqa: E402
from .errors import ArtifactError, ConfigError, DataError, TrainwrightError  # noqa: E402
from .api import cross_validate, distill, evaluate, export_onnx, load, predict_file, train, tune  # noqa: E402
from .predictor import Predictions, Predictor  # noqa: E402
from .train.run import TrainResult  # noqa: E402


__all__ = [
    "Artifact", "ArtifactError", "ConfigError", "DataError", "Predictions", "Predictor", "RunConfig",
    "TrainResult", "TrainwrightError", "build_config", "cross_validate", "distill", "evaluate", "export_onnx", "load",
    "load_artifact", "predict_file", "train", "tune", "__version__",
]
