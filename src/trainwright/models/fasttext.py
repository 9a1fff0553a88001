"""fastText (Joulin et al. 2016, "Bag of Tricks for Efficient Text Classification", arXiv:1607.01759).

The average of the text's word vectors and of its hashed word n-gram vectors -> linear head. Word n-grams
(2 .. `ngrams` adjacent tokens) take ids `vocab_size + hash mod hash_buckets`, so one embedding table holds both;
the hash is integer arithmetic on the token ids, the same on every machine and in every run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .lstm import PAD_ID, left_align, trim

_MODULUS = 2_147_483_647  # 2**31 - 1, a prime: hash * _MULTIPLIER + id stays below 2**63, no int64 overflow
_MULTIPLIER = 1_000_003


def ngram_ids(ids: torch.Tensor, vocab_size: int, ngrams: int, hash_buckets: int) -> torch.Tensor:
    """ids: (batch, time) token ids, padding anywhere -> (batch, features) feature ids, PAD_ID where none.

    Features are the tokens, then for n = 2 .. ngrams every run of n adjacent real tokens, hashed into
    `vocab_size .. vocab_size + hash_buckets - 1`. The tokens are left-aligned first, so padding is never part
    of an n-gram and n-grams do not depend on the padding side.
    """
    ids, lengths = left_align(ids)
    ids = trim(ids, lengths)
    real = ids != PAD_ID
    features = [ids]
    hashed = ids.new_zeros(ids.shape)
    for n in range(1, ngrams + 1):
        # hashed[:, i] covers tokens i .. i+n-1; the seed n keeps a bigram and a trigram of the same ids apart.
        shifted = torch.cat([ids[:, n - 1:], ids.new_zeros(ids.shape[0], n - 1)], dim=1)
        hashed = (hashed * _MULTIPLIER + shifted + n) % _MODULUS
        if n >= 2:
            complete = torch.cat([real[:, n - 1:], real.new_zeros(ids.shape[0], n - 1)], dim=1) & real
            features.append(torch.where(complete, vocab_size + hashed % hash_buckets, PAD_ID))
    return torch.cat(features, dim=1)


@dataclass
class FastTextConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    embedding_dim: int = 64
    ngrams: int = 2  # word n-grams up to this length (1: words only)
    hash_buckets: int = 2 ** 16  # embedding rows shared by the hashed n-grams
    dropout: float = 0.0  # on the averaged vector, before the head

    def to_dict(self) -> dict:
        return asdict(self)


class FastTextClassifier(nn.Module):
    def __init__(self, config: FastTextConfig):
        super().__init__()
        self.config = config
        rows = config.vocab_size + (config.hash_buckets if config.ngrams > 1 else 0)
        # sparse: a batch's gradient holds only the rows its texts use, so an optimizer step costs the batch's
        # features, not the whole table (fastText's own training, and what makes a large hash space cheap).
        self.embedding = nn.Embedding(rows, config.embedding_dim, padding_idx=PAD_ID, sparse=True)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.embedding_dim, config.num_outputs)
        # fastText's initialisation: input vectors uniform(-1/dim, 1/dim), output layer zero.
        nn.init.uniform_(self.embedding.weight, -1 / config.embedding_dim, 1 / config.embedding_dim)
        with torch.no_grad():
            self.embedding.weight[PAD_ID].zero_()
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids, padding anywhere -> logits (batch, num_outputs)."""
        cfg = self.config
        features = ngram_ids(ids, cfg.vocab_size, cfg.ngrams, cfg.hash_buckets)  # (batch, features)
        count = (features != PAD_ID).sum(dim=1, keepdim=True).clamp(min=1)
        mean = self.embedding(features).sum(dim=1) / count  # the padding row is zero: a masked mean
        return self.head(self.dropout(mean))
