"""A small Transformer encoder trained from scratch (Vaswani et al. 2017), pooled into one vector per text.

Token + learned position embeddings -> pre-norm nn.TransformerEncoder layers with a padding mask -> final
LayerNorm -> pooling over the real tokens (mean by default) -> dropout -> linear head. Tokens are left-aligned
first, so a token's position counts from the text's first real token whatever the padding side.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .lstm import PAD_ID, left_align, trim
from .recurrent import POOLINGS, pool


@dataclass
class TransformerConfig:
    vocab_size: int  # from the fitted tokenizer
    num_outputs: int  # 1 for binary and regression, else the number of classes
    embedding_dim: int = 128  # the model's width
    hidden_size: int = 256  # the feed-forward layers' width
    num_layers: int = 2
    attention_heads: int = 4  # embedding_dim must be a multiple of it
    max_positions: int = 512  # learned positions; tokens further in share the last one
    pooling: str = "mean"  # last | mean | max, over the real tokens
    dropout: float = 0.1  # in every layer and before the head

    def to_dict(self) -> dict:
        return asdict(self)


class TransformerClassifier(nn.Module):
    def __init__(self, config: TransformerConfig):
        super().__init__()
        if config.embedding_dim % config.attention_heads:
            raise ValueError(f"embedding_dim ({config.embedding_dim}) must be a multiple of attention_heads "
                             f"({config.attention_heads}).")
        if config.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {config.pooling!r}.")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.position = nn.Embedding(config.max_positions, config.embedding_dim)
        self.embedding_dropout = nn.Dropout(config.dropout)
        # Pre-norm layers (norm_first) train stably from scratch without a long warm-up (Xiong et al. 2020).
        layer = nn.TransformerEncoderLayer(config.embedding_dim, config.attention_heads, config.hidden_size,
                                           config.dropout, activation="gelu", batch_first=True, norm_first=True)
        # No nested tensors: the same kernels in training and inference, whatever the padding.
        self.encoder = nn.TransformerEncoder(layer, config.num_layers, norm=nn.LayerNorm(config.embedding_dim),
                                             enable_nested_tensor=False)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.embedding_dim, config.num_outputs)
        # BERT's N(0, 0.02) embeddings; PyTorch's N(0, 1) would drown the position embeddings' signal.
        for table in (self.embedding, self.position):
            nn.init.normal_(table.weight, std=0.02)
        with torch.no_grad():
            self.embedding.weight[PAD_ID].zero_()

    def forward(self, ids: torch.Tensor, **unused) -> torch.Tensor:
        """ids: (batch, time) token ids, padding anywhere -> logits (batch, num_outputs)."""
        ids, lengths = left_align(ids)
        ids = trim(ids, lengths)
        steps = torch.arange(ids.shape[1], device=ids.device)
        positions = steps.clamp(max=self.config.max_positions - 1)
        x = self.embedding_dropout(self.embedding(ids) + self.position(positions))  # (batch, time, dim)
        # An empty text keeps one (padding) step unmasked, as left_align counts it: no all-masked row.
        padding = steps[None, :] >= lengths[:, None]  # (batch, time), True where attention must not look
        if torch.onnx.is_in_onnx_export():
            x = self.encode_for_export(x, padding)
        else:
            x = self.encoder(x, src_key_padding_mask=padding)
        return self.head(self.dropout(pool(x, lengths, self.config.pooling)))

    def encode_for_export(self, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """What `self.encoder` computes in eval mode (pre-norm layers, GELU, no dropout), written out with the
        same weights for ONNX export: the TorchScript exporter bakes some of nn.MultiheadAttention's sizes into
        the graph as constants, so the graph would only run at the traced batch size and length."""
        # -inf on the padding keys, as nn.MultiheadAttention turns a boolean key padding mask into
        mask = torch.zeros_like(padding, dtype=x.dtype).masked_fill(padding, float("-inf"))[:, None, None, :]
        for layer in self.encoder.layers:
            attention = layer.self_attn
            qkv = F.linear(layer.norm1(x), attention.in_proj_weight, attention.in_proj_bias)
            # (batch, time, 3 * dim) -> three (batch, heads, time, head_dim)
            q, k, v = qkv.unflatten(-1, (3, self.config.attention_heads, -1)).permute(2, 0, 3, 1, 4)
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (batch, heads, time, head_dim)
            x = x + attention.out_proj(attended.transpose(1, 2).flatten(2))
            x = x + layer.linear2(layer.activation(layer.linear1(layer.norm2(x))))
        return self.encoder.norm(x)
