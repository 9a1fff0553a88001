"""TF-IDF features -> one linear layer: logistic (or softmax) regression, the classic strong text baseline.

Features are the tokens and their hashed word n-grams (fasttext.ngram_ids). A text's feature weights are
scikit-learn's TfidfVectorizer defaults: raw count x smooth idf, idf = ln((1 + n) / (1 + df)) + 1 over the n
training texts, then L2-normalized per text. The idf vector is learned by `fit_statistics` from the training
texts and kept as a buffer, so it is saved with the weights.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy import sparse
from sklearn.preprocessing import normalize
from torch import nn
from torch.nn import functional as F

from .fasttext import ngram_ids
from .lstm import PAD_ID


@dataclass
class LinearConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    ngrams: int = 2  # word n-grams up to this length (1: words only)
    hash_buckets: int = 2 ** 18  # feature slots shared by the hashed n-grams

    def to_dict(self) -> dict:
        return asdict(self)


class TfidfLinearClassifier(nn.Module):
    def __init__(self, config: LinearConfig):
        super().__init__()
        self.config = config
        features = config.vocab_size + (config.hash_buckets if config.ngrams > 1 else 0)
        # A linear layer over the sparse tf-idf vector, stored (features, num_outputs) so that a text reads only
        # its features' rows; a plain matrix, so the l1/l2 penalties reach it (they skip nn.Embedding).
        self.weight = nn.Parameter(torch.zeros(features, config.num_outputs))
        self.bias = nn.Parameter(torch.zeros(config.num_outputs))
        # Before fit_statistics every feature weighs the same: plain L2-normalized counts.
        self.register_buffer("idf", torch.ones(features))

    @torch.no_grad()
    def fit_statistics(self, inputs) -> TfidfLinearClassifier:
        """Learn the idf from the training texts; `inputs` is preprocessing.EncodedInputs (uses .sequences)."""
        counts = self.counts(inputs.sequences)
        df = np.bincount(counts.indices, minlength=counts.shape[1])  # each (text, feature) pair is one entry
        n = counts.shape[0]
        self.idf.copy_(torch.from_numpy(np.log((1 + n) / (1 + df)) + 1))
        return self

    @torch.no_grad()
    def counts(self, sequences) -> sparse.csr_matrix:
        """(texts, features) CSR matrix of each text's feature counts: the forward pass's features, sparse."""
        cfg = self.config
        parts = []
        for start in range(0, len(sequences), 1024):
            chunk = sequences[start:start + 1024]
            ids = np.zeros((len(chunk), max(1, max(len(s) for s in chunk))), dtype=np.int64)
            for row, seq in enumerate(chunk):
                ids[row, :len(seq)] = seq
            features = ngram_ids(torch.from_numpy(ids), cfg.vocab_size, cfg.ngrams, cfg.hash_buckets).numpy()
            rows = np.broadcast_to(np.arange(len(chunk))[:, None], features.shape)
            real = features != PAD_ID
            # duplicate (row, feature) entries are summed: the counts
            parts.append(sparse.csr_matrix((np.ones(real.sum()), (rows[real], features[real])),
                                           shape=(len(chunk), len(self.idf))))
        if not parts:
            return sparse.csr_matrix((0, len(self.idf)))
        return sparse.vstack(parts, format="csr")

    def features(self, sequences) -> sparse.csr_matrix:
        """(texts, features) CSR matrix of the tf-idf rows the forward pass multiplies by the weight: the
        input of the convex fit (train/convex.py), so that its solution is this module's weight and bias."""
        tfidf = self.counts(sequences)
        tfidf.data *= self.idf.double().numpy()[tfidf.indices]
        return normalize(tfidf, norm="l2", copy=False)

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids, padding anywhere -> logits (batch, num_outputs)."""
        cfg = self.config
        features = ngram_ids(ids, cfg.vocab_size, cfg.ngrams, cfg.hash_buckets)  # (batch, n)
        real = features != PAD_ID
        idf = self.idf[features] * real
        # tf of each occurrence's feature: how often the same feature occurs in the text, (batch, n).
        tf = ((features[:, :, None] == features[:, None, :]) & real[:, None, :]).sum(dim=2) * real
        # sum over distinct features of (tf * idf)^2 = sum over occurrences of tf * idf^2
        norm = (tf * idf ** 2).sum(dim=1, keepdim=True).sqrt().clamp(min=1e-12)
        # sum over distinct features of tf * idf / norm * w = sum over occurrences of idf / norm * w
        return ((idf / norm)[:, :, None] * F.embedding(features, self.weight)).sum(dim=1) + self.bias
