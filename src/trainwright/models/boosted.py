"""Gradient-boosted trees (LightGBM) on a table's encoded columns, as an nn.Module.

The trees are fitted by LightGBM itself (train/boosting.py), not by gradient steps; this module only holds the
fitted booster and returns its raw scores as logits, so the predictor, ensembles, evaluate and serve treat it as
any other model. Inputs are the MLP's: standardized numbers (a monotone rescaling, which does not change a
tree's splits) and category ids, which LightGBM splits on as categories. The booster is saved in LightGBM's own
text model format beside the weights (see `tree_files`); loading parses that text and executes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..stage import check_is_fitted


@dataclass
class BoostedConfig:
    num_numeric: int  # from the fitted feature encoder
    cardinalities: list[int]  # categories per categorical column, unseen id 0 included
    num_outputs: int  # 1 for binary and regression, else the number of classes

    def to_dict(self) -> dict:
        return asdict(self)


class BoostedTrees(nn.Module):
    def __init__(self, config: BoostedConfig):
        super().__init__()
        self.config = config

    @property
    def categorical_features(self) -> list[int]:
        """Indices of the category-id columns in `rows`' matrix."""
        return list(range(self.config.num_numeric, self.config.num_numeric + len(self.config.cardinalities)))

    @staticmethod
    def rows(numeric, categorical) -> np.ndarray:
        """(rows, numeric + categorical) float64: LightGBM's input, category ids as whole numbers."""
        return np.hstack([np.asarray(numeric, dtype=np.float64), np.asarray(categorical, dtype=np.float64)])

    def load_text(self, text: str) -> "BoostedTrees":
        """Use the booster saved as LightGBM's text model `text`."""
        import lightgbm

        self.booster_ = lightgbm.Booster(model_str=text)
        return self

    def to_text(self) -> str:
        check_is_fitted(self, "booster_")
        return self.booster_.model_to_string()

    def forward(self, numeric: torch.Tensor, categorical: torch.Tensor, **unused) -> torch.Tensor:
        """numeric (batch, n_numeric), categorical (batch, n_categorical) -> raw scores (batch, num_outputs)."""
        check_is_fitted(self, "booster_")
        x = self.rows(numeric.cpu().numpy(), categorical.cpu().numpy())
        raw = self.booster_.predict(x, raw_score=True, num_threads=torch.get_num_threads())
        return torch.from_numpy(np.asarray(raw, dtype=np.float32).reshape(len(x), self.config.num_outputs))


def tree_files(model: nn.Module) -> dict[str, BoostedTrees]:
    """The text file of each booster in `model` (one, or an ensemble's members in order), by file name."""
    boosters = [m for m in model.modules() if isinstance(m, BoostedTrees)]
    if len(boosters) == 1:
        return {"lightgbm.txt": boosters[0]}
    return {f"lightgbm-{k + 1}.txt": booster for k, booster in enumerate(boosters)}
