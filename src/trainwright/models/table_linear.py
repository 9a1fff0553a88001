"""A table's columns -> one linear layer: logistic (or softmax) regression, ridge for a numeric target.

The features are the MLP's inputs, standardized numbers, with each categorical column one-hot encoded (its id 0,
an unseen or missing value, is a category of its own). The weights are fitted by a convex solver with the
regularization chosen on validation (train/convex.py), as the TF-IDF text model's are; the forward pass reads
each row's category weights by index instead of building the one-hot matrix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy import sparse
from torch import nn


@dataclass
class TableLinearConfig:
    num_numeric: int  # from the fitted feature encoder
    cardinalities: list[int]  # categories per categorical column, unseen id 0 included
    num_outputs: int  # 1 for binary and regression, else the number of classes

    def to_dict(self) -> dict:
        return asdict(self)


class TableLinearModel(nn.Module):
    reads_table = True  # the convex fit passes it the encoded table, not token ids

    def __init__(self, config: TableLinearConfig):
        super().__init__()
        self.config = config
        features = config.num_numeric + sum(config.cardinalities)
        # (features, num_outputs), as the TF-IDF model stores it: a row reads its categories' rows by index
        self.weight = nn.Parameter(torch.zeros(features, config.num_outputs))
        self.bias = nn.Parameter(torch.zeros(config.num_outputs))
        # where each categorical column's one-hot block starts, after the numbers
        starts = config.num_numeric + np.concatenate([[0], np.cumsum(config.cardinalities)[:-1]]).astype(np.int64)
        self.register_buffer("starts", torch.as_tensor(starts[:len(config.cardinalities)]), persistent=False)

    def fit_statistics(self, inputs) -> "TableLinearModel":
        return self  # nothing to learn beyond the feature encoder's scaling

    def features(self, inputs) -> sparse.csr_matrix:
        """(rows, features) CSR matrix the forward pass multiplies by the weight; `inputs` is EncodedInputs."""
        numeric = sparse.csr_matrix(np.asarray(inputs.numeric, dtype=np.float64))
        rows, columns = np.asarray(inputs.categorical).shape
        ids = np.asarray(inputs.categorical) + self.starts.numpy() - self.config.num_numeric
        one_hot = sparse.csr_matrix((np.ones(rows * columns), (np.repeat(np.arange(rows), columns), ids.ravel())),
                                    shape=(rows, sum(self.config.cardinalities)))
        return sparse.hstack([numeric, one_hot], format="csr")

    def forward(self, numeric: torch.Tensor, categorical: torch.Tensor, **unused) -> torch.Tensor:
        """numeric (batch, n_numeric), categorical (batch, n_categorical) ids -> logits (batch, num_outputs)."""
        n = self.config.num_numeric
        logits = numeric @ self.weight[:n] + self.bias
        if categorical.shape[1]:
            logits = logits + self.weight[categorical + self.starts].sum(dim=1)
        return logits
