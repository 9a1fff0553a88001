"""The table MLP and the text + table model: shapes, and what each input can change."""

import torch

from trainwright.models import build_model
from trainwright.models.tabular import embedding_width


def test_mlp_reads_numbers_and_category_ids():
    torch.manual_seed(0)
    model = build_model("mlp", num_numeric=3, cardinalities=[4, 10], num_outputs=2).eval()
    numeric, categorical = torch.randn(5, 3), torch.tensor([[0, 9], [1, 2], [3, 0], [2, 2], [1, 1]])
    logits = model(numeric=numeric, categorical=categorical)
    assert logits.shape == (5, 2)
    changed = categorical.clone()
    changed[0, 1] = 3
    assert not torch.equal(model(numeric=numeric, categorical=changed)[0], logits[0])
    assert torch.equal(model(numeric=numeric, categorical=changed)[1:], logits[1:])  # rows are independent


def test_text_and_table_model_uses_both():
    torch.manual_seed(0)
    model = build_model("lstm+mlp", vocab_size=20, num_numeric=1, cardinalities=[3], num_outputs=1,
                        embedding_dim=8, hidden_size=8).eval()
    ids, numeric, categorical = torch.tensor([[0, 4, 5], [6, 7, 8]]), torch.zeros(2, 1), torch.tensor([[1], [2]])
    base = model(ids=ids, numeric=numeric, categorical=categorical)
    assert base.shape == (2, 1)
    assert not torch.equal(model(ids=ids.flip(1), numeric=numeric, categorical=categorical), base)
    assert not torch.equal(model(ids=ids, numeric=numeric + 1, categorical=categorical), base)


def test_embedding_width_grows_with_cardinality_and_is_capped():
    assert embedding_width(2) == 2 and embedding_width(10) < embedding_width(100) <= 16
    assert embedding_width(100000) == 16
