"""Shared fixtures: a tiny synthetic sentiment table and a tiny model trained on it once per session."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

import trainwright

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_POSITIVE = ["great", "excellent", "lovely", "wonderful", "superb", "fantastic", "works perfectly", "love it"]
_NEGATIVE = ["awful", "terrible", "broken", "useless", "horrible", "poor", "stopped working", "hate it"]
_FILLER = ["the", "kettle", "was", "really", "and", "delivery", "quite", "this", "product", "honestly", "my"]


def make_reviews(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Short reviews whose label is carried by a few opinion words among filler words."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "pos" if i % 2 else "neg"
        words = rng.sample(_FILLER, 4) + [rng.choice(_POSITIVE if label == "pos" else _NEGATIVE)]
        rng.shuffle(words)
        rows.append({"review": " ".join(words).capitalize() + ".", "stars": rng.randint(1, 5), "label": label})
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def reviews_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def tiny_config() -> trainwright.RunConfig:
    """Small and quick: a few epochs of a small LSTM on one thread."""
    return trainwright.build_config(overrides={
        "model": {"embedding_dim": 16, "hidden_size": 16},
        "train": {"epochs": 8, "threads": 1, "learning_rate": 0.01},
    })


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, reviews_csv, tiny_config) -> Path:
    """A model directory trained once on the synthetic reviews and shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("runs") / "tiny"
    trainwright.train(reviews_csv, out=out, config=tiny_config.model_copy(deep=True))
    return out


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
