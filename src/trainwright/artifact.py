"""A saved model is one directory of plain files; nothing is pickled and loading executes nothing from it.

    config.json          the resolved run configuration
    model.json           architecture name and sizes
    weights.safetensors  the weights
    lightgbm.txt         a LightGBM model's trees in LightGBM's own text format (an ensemble's: lightgbm-K.txt)
    hf/                  instead of weights.safetensors for a fine-tuned pretrained transformer: a standard
                         Hugging Face model directory (safetensors weights, config, tokenizer)
    onnx/                optional, written by `trainwright export` (see export/); never read by load_artifact
    tokenizer.json       the fitted tokenizer (Hugging Face `tokenizers` format), for text inputs
    preprocessing.json   input columns, fitted cleaning (imputation, clip bounds, ...), table feature encoding
    target.json          the fitted target encoder (labels, or scaling of a numeric target)
    metrics.json         validation (and test) metrics, training figures
    history.json         per-epoch metrics
    logs/                metrics.csv (per-epoch metrics) and tensorboard/ events; never read by load_artifact
    validation.json      the validation rows' predictions (out of fold for an ensemble), for the report
    metadata.json        format version, library versions, date, data fingerprint
    .trainwright.json    the marker: this is a trainwright model, and the files above are trainwright's

It is written to a temporary directory beside the destination and moved into place, so a crash never leaves a
half-written model where a good one was. Saving over a folder replaces only the files its marker names (see
destination.py); the user's other files in it stay, and a folder that is not trainwright's is refused.
"""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from .config import RunConfig, saved_config
from .data.target import TargetEncoder
from .destination import mark, not_writable, owned_entries, replace_folder
from .errors import ArtifactError, ConfigError, TrainwrightError
from .models import ARCHITECTURES, build_model
from .models.boosted import tree_files
from .models.onnx import OnnxModel, exported_graph
from .predictor import Predictor
from .preprocessing import Preprocessing
from .version import __version__

FORMAT_VERSION = 1
REQUIRED = ("config.json", "model.json", "preprocessing.json", "target.json", "metadata.json")
WEIGHTS = "weights.safetensors"
HF_DIRECTORY = "hf"  # a pretrained model's weights: `transformers` loads this folder as it is
BACKENDS = ("torch", "onnx")
LOGS = "logs"  # logs/: the per-epoch CSV and the TensorBoard events (train/tracking.py writes them)
TENSORBOARD = "tensorboard"


@dataclass
class Artifact:
    config: RunConfig
    model_name: str
    model: torch.nn.Module | None  # None when loaded without weights (the onnx backend)
    preprocessing: Preprocessing
    target: TargetEncoder
    metrics: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    data: dict = field(default_factory=dict)  # fingerprint of the training data
    validation: dict = field(default_factory=dict)  # see evaluate.evaluation.prediction_record
    directory: Path | None = None  # where it was loaded from; None for a model not saved yet

    def predictor(self, backend: str = "torch") -> Predictor:
        """backend "torch" runs the weights; "onnx" runs the graph `trainwright export` wrote in onnx/ (the int8
        one when the export was quantized) with onnxruntime, on as many threads as torch uses."""
        if backend == "torch":
            model = self.model
        elif backend == "onnx":
            if self.directory is None:
                raise ArtifactError("The onnx backend runs an exported model: save this model, export it with "
                                    "`trainwright export MODEL --format onnx`, then load it from its directory.")
            model = OnnxModel(exported_graph(self.directory), threads=torch.get_num_threads())
        else:
            raise ConfigError(f"Unknown backend '{backend}': use {' or '.join(BACKENDS)}.")
        return Predictor(model, self.preprocessing, self.target, self.config)


def save_artifact(artifact: Artifact, directory: str | Path) -> Path:
    directory = Path(directory).resolve()
    owned = owned_entries(directory, "model")  # before any writing: a folder that is not ours is refused
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    except OSError as e:
        raise not_writable(directory.parent, e) from None
    staging.chmod(0o755)  # mkdtemp makes it private; a model directory is an ordinary folder
    try:
        _write(artifact, staging)
        _save_logs(artifact.history, staging, directory)  # logs/: the epochs' CSV, the run's TensorBoard events
        mark(staging, "model", tuple(p.name for p in staging.iterdir()))
        replace_folder(staging, directory, owned)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise not_writable(directory, e) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def load_artifact(directory: str | Path, weights: bool = True) -> Artifact:
    """The saved model in `directory`; `weights=False` leaves its PyTorch model out (model None), for the onnx
    backend, which runs the exported graph instead."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ArtifactError(f"{directory}: no such model directory. Pass the --out directory of a training run.")
    missing = [name for name in REQUIRED if not (directory / name).is_file()]
    if missing:
        raise ArtifactError(f"{directory} is not a complete trainwright model: missing {', '.join(missing)}.")
    metadata = _read_json(directory / "metadata.json")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(f"{directory} was saved in model format {version}; this trainwright reads format "
                            f"{FORMAT_VERSION}. Use the trainwright version that saved it "
                            f"({metadata.get('versions', {}).get('trainwright', 'unknown')}) or retrain.")
    try:
        # frozen: a saved model keeps the configuration it was trained with
        config = saved_config(_read_json(directory / "config.json"), str(directory / "config.json")).frozen()
    except TrainwrightError as e:
        raise ArtifactError(str(e)) from None
    spec = _read_json(directory / "model.json")
    model = _load_model(directory, spec).eval() if weights else None
    with _damaged(directory / "preprocessing.json"):
        preprocessing = Preprocessing.load(directory, _read_json(directory / "preprocessing.json"), config)
    with _damaged(directory / "target.json"):
        target = TargetEncoder.from_dict(_read_json(directory / "target.json"))
    return Artifact(
        config=config, model_name=spec["name"], model=model, preprocessing=preprocessing, target=target,
        metrics=_read_json(directory / "metrics.json") if (directory / "metrics.json").is_file() else {},
        history=_read_json(directory / "history.json") if (directory / "history.json").is_file() else [],
        validation=_read_json(directory / "validation.json") if (directory / "validation.json").is_file() else {},
        data=metadata.get("data", {}),
        directory=directory,
    )


def _load_model(directory: Path, spec: dict) -> torch.nn.Module:
    pretrained = spec.get("name") == "pretrained"
    weights = directory / (f"{HF_DIRECTORY}/model.safetensors" if pretrained else WEIGHTS)
    if not weights.is_file():
        raise ArtifactError(f"{directory} is not a complete trainwright model: missing "
                            f"{weights.relative_to(directory)}.")
    try:
        config = dict(spec["config"])
        if pretrained:  # the Hugging Face directory inside this model, wherever it was moved to
            config["source"] = str(directory / HF_DIRECTORY)
        else:
            _check_sizes(weights, spec["name"], config)
        model = _build(spec["name"], config)
    except (KeyError, TypeError) as e:
        raise ArtifactError(f"{directory}/model.json does not describe a known model ({e}).") from None
    if pretrained:
        return model  # from_pretrained read the weights
    try:
        model.load_state_dict(load_file(str(weights)))
    except (RuntimeError, OSError, SafetensorError) as e:
        raise ArtifactError(f"{weights} does not match model.json: {e}") from None
    _load_trees(directory, model)
    return model


def _build(name: str, config: dict) -> torch.nn.Module:
    """The saved model's architecture, untrained; a pretrained image network is built without the ImageNet weights
    of its package, which the saved weights replace."""
    if name == "efficientnet_lite0":
        model_class, config_class = ARCHITECTURES[name]
        return model_class(config_class(**config), imagenet=False)
    return build_model(name, **config)


def _load_trees(directory: Path, model: torch.nn.Module) -> None:
    """Each LightGBM booster of the model from its text file (parsed as text: nothing is unpickled or run)."""
    for name, trees in tree_files(model).items():
        path = directory / name
        try:
            trees.load_text(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ArtifactError(f"{directory} is not a complete trainwright model: cannot read {name} ({e.strerror})."
                                ) from None
        except Exception as e:  # lightgbm.basic.LightGBMError: the text is not a model LightGBM can parse
            raise ArtifactError(f"{path} is damaged ({type(e).__name__}: {str(e).strip()[:200]}): restore the "
                                "model from a copy or train it again.") from None


def _check_sizes(weights: Path, name: str, config: dict) -> None:
    """Compare model.json's sizes with the weights file's tensor shapes, read from its header alone, on a model
    built on the meta device (no memory): a damaged vocab_size must not allocate terabytes."""
    try:
        with safe_open(str(weights), "pt") as f:
            saved = {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}
    except (SafetensorError, OSError) as e:
        raise ArtifactError(f"{weights} is damaged ({e}): restore the model from a copy or train it again.") from None
    with torch.device("meta"):
        expected = {key: tuple(t.shape) for key, t in _build(name, config).state_dict().items()}
    wrong = [key for key in expected if key in saved and expected[key] != saved[key]]
    if wrong or set(expected) != set(saved):
        detail = (f"{wrong[0]} is {list(saved[wrong[0]])} in the weights, {list(expected[wrong[0]])} by model.json"
                  if wrong else f"they hold other tensors ({len(saved)} against {len(expected)})")
        raise ArtifactError(f"{weights} does not match model.json: {detail}. The model "
                            "directory is damaged: restore it from a copy or train it again.")


@contextmanager
def _damaged(path: Path):
    """A file of the model that parses as JSON but does not hold what it should is an ArtifactError naming it."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ArtifactError(f"{path} does not hold what trainwright saved there ({type(e).__name__}: {e}); the "
                            "model directory is damaged: restore it from a copy or train it again.") from None


def fingerprint(path: str | Path, rows: int, sha256: str | None = None) -> dict:
    return {"file": str(path), "sha256": sha256 or file_sha256(path), "rows_used": rows}


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _save_logs(history: list[dict], staging: Path, destination: Path) -> None:
    """Write logs/ into the `staging` folder of a model about to replace `destination`: the per-epoch CSV, and
    the TensorBoard events of the run that trained it, if it kept them (see train/tracking.py, trainer_loggers)."""
    folder = staging / LOGS
    live = destination / "checkpoint" / LOGS / TENSORBOARD
    if live.is_dir():
        shutil.copytree(live, folder / TENSORBOARD)
    if history:
        folder.mkdir(exist_ok=True)
        columns = list(dict.fromkeys(key for row in history for key in row))
        with open(folder / "metrics.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(history)


def _write(artifact: Artifact, directory: Path) -> None:
    model = artifact.model.cpu()
    spec = model.config.to_dict()
    if hasattr(model, "save_pretrained"):
        model.save_pretrained(directory / HF_DIRECTORY, artifact.target.task_, artifact.target.classes_)
        spec["source"] = HF_DIRECTORY
    else:
        state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(directory / WEIGHTS))
        (directory / WEIGHTS).chmod(0o644)  # safetensors writes it private; the rest of the model is not
        for name, trees in tree_files(model).items():
            (directory / name).write_text(trees.to_text(), encoding="utf-8")
    artifact.preprocessing.save(directory)
    files = {
        "config.json": artifact.config.model_dump(),
        "model.json": {"name": artifact.model_name, "config": spec},
        "target.json": artifact.target.to_dict(),
        "metrics.json": artifact.metrics,
        "history.json": artifact.history,
        "validation.json": artifact.validation,
        "metadata.json": {
            "format_version": FORMAT_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": {"trainwright": __version__, "torch": torch.__version__,
                         "python": platform.python_version()},
            "data": artifact.data,
        },
    }
    for name, content in files.items():
        (directory / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ArtifactError(f"{path} cannot be read as JSON ({e}); the model directory is damaged.") from None
