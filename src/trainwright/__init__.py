"""trainwright: from a raw labeled table to a validated, saved, servable deep-learning model."""

from .errors import ArtifactError, ConfigError, DataError, TrainwrightError
from .lazy import lazy_exports
from .version import __version__

# `train` and `evaluate` name both subpackages and API functions. The subpackages are loaded (cheaply) first,
# so that importing one of their modules later cannot rebind the names; the names then mean the functions.
from . import evaluate, train  # noqa: E402

del evaluate, train

# The rest loads on first use (PEP 562), so that the CLI starts without torch, Lightning, pandas or sklearn.
_HOMES = {
    "Artifact": ".artifact", "load_artifact": ".artifact", "RunConfig": ".config", "build_config": ".config",
    "Predictions": ".predictor", "Predictor": ".predictor", "TrainResult": ".train.run",
    **{name: ".api" for name in ("cross_validate", "distill", "evaluate", "export_onnx", "load", "predict_file",
                                 "train", "tune")},
}
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "Artifact", "ArtifactError", "ConfigError", "DataError", "Predictions", "Predictor", "RunConfig",
    "TrainResult", "TrainwrightError", "build_config", "cross_validate", "distill", "evaluate", "export_onnx", "load",
    "load_artifact", "predict_file", "train", "tune", "__version__",
]
