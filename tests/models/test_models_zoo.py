"""The from-scratch text models (bilstm, gru, cnn, fasttext, linear, transformer): shapes, padding invariance,
save/load through safetensors, the linear model's tf-idf against scikit-learn, and a tiny training each."""

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import trainwright
from trainwright.models import ARCHITECTURES, build_model, model_sizes
from trainwright.models.fasttext import ngram_ids
from trainwright.model_config import CNNModel
from trainwright.models.presets import apply_presets
from trainwright.preprocessing import EncodedInputs

ZOO = ["bilstm", "gru", "cnn", "fasttext", "linear", "transformer"]
SMALL = {"embedding_dim": 8, "hidden_size": 8, "num_filters": 4, "filter_sizes": [2, 5], "ngrams": 3,
         "hash_buckets": 64, "attention_heads": 2, "num_layers": 2}
VOCAB = 30
# Texts of 0, 1, 2, 3 and 7 tokens: shorter and longer than the CNN's widest filter (5).
SEQUENCES = [[], [4], [5, 6], [7, 8, 9], [3, 4, 5, 6, 7, 8, 9]]


def _model(name: str, outputs: int = 3, **sizes):
    torch.manual_seed(0)
    config = ARCHITECTURES[name][1].__dataclass_fields__
    model = build_model(name, vocab_size=VOCAB, num_outputs=outputs,
                        **{k: v for k, v in {**SMALL, **sizes}.items() if k in config})
    if hasattr(model, "fit_statistics"):  # non-uniform idf, so the tests see it act
        model.fit_statistics(EncodedInputs([np.array(s, dtype=np.int64) for s in SEQUENCES * 2 + [[4, 4, 5]]],
                                           None, None))
    return model.eval()


def _pad(sequences, length: int, side: str) -> torch.Tensor:
    ids = torch.zeros(len(sequences), length, dtype=torch.int64)
    for row, seq in enumerate(sequences):
        start = 0 if side == "post" else length - len(seq)
        ids[row, start:start + len(seq)] = torch.tensor(seq, dtype=torch.int64)
    return ids


def _logits(model, ids):
    with torch.no_grad():
        return model(ids)


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("outputs", [1, 4])
def test_output_shape(name, outputs):
    model = _model(name, outputs)
    assert _logits(model, _pad(SEQUENCES, 7, "pre")).shape == (len(SEQUENCES), outputs)


@pytest.mark.parametrize("name", ZOO)
def test_padding_side_and_amount_never_change_the_logits(name):
    model = _model(name)
    reference = _logits(model, _pad(SEQUENCES, 7, "pre"))
    for length, side in [(7, "post"), (20, "pre"), (20, "post")]:
        torch.testing.assert_close(_logits(model, _pad(SEQUENCES, length, side)), reference, rtol=0, atol=1e-5,
                                   msg=f"{name}: differs with {side}-padding to {length}")
    for row, seq in enumerate(SEQUENCES):  # alone, padded only to its own length
        torch.testing.assert_close(_logits(model, _pad([seq], max(1, len(seq)), "post"))[0], reference[row],
                                   rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["bilstm", "gru", "transformer"])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_every_pooling_ignores_padding(name, pooling):
    model = _model(name, pooling=pooling)
    torch.testing.assert_close(_logits(model, _pad(SEQUENCES, 9, "post")), _logits(model, _pad(SEQUENCES, 7, "pre")),
                               rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ZOO)
def test_safetensors_round_trip_gives_identical_logits(name, tmp_path):
    model = _model(name)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "weights.safetensors"))
    torch.manual_seed(1)  # a different initialisation, overwritten by the loaded weights
    restored = build_model(name, **model.config.to_dict())
    restored.load_state_dict(load_file(str(tmp_path / "weights.safetensors")))
    ids = _pad(SEQUENCES, 7, "pre")
    torch.testing.assert_close(_logits(restored.eval(), ids), _logits(model, ids), rtol=0, atol=0)


def test_ngrams_are_hashed_from_real_tokens_only():
    pre = ngram_ids(torch.tensor([[0, 0, 0, 5, 6, 7]]), VOCAB, 3, 1000)
    post = ngram_ids(torch.tensor([[5, 6, 7, 0]]), VOCAB, 3, 1000)
    real = pre[pre != 0]
    assert torch.equal(real.sort().values, post[post != 0].sort().values)
    assert len(real) == 3 + 2 + 1  # 3 words, 2 bigrams, 1 trigram: none reaching into the padding
    assert real[:3].tolist() == [5, 6, 7] and all(VOCAB <= i < VOCAB + 1000 for i in real[3:].tolist())
    # the same n-gram, wherever it occurs, gets the same id; a bigram and a trigram do not share it
    twice = ngram_ids(torch.tensor([[5, 6, 9, 5, 6]]), VOCAB, 2, 1000)[0]
    assert twice[5] == twice[8] and twice[5] != twice[6]
    assert ngram_ids(torch.zeros(2, 4, dtype=torch.int64), VOCAB, 3, 1000).eq(0).all()  # empty texts


def test_linear_tfidf_matches_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = ["good good film", "bad film", "good plot bad acting", "film film film", "acting good"]
    words = sorted({w for text in corpus for w in text.split()})
    vocab = {w: i + 3 for i, w in enumerate(words)}  # 0-2: padding, unknown and separator
    sequences = [np.array([vocab[w] for w in text.split()], dtype=np.int64) for text in corpus]
    model = build_model("linear", vocab_size=len(words) + 3, num_outputs=1, ngrams=2, hash_buckets=2 ** 20)
    model.fit_statistics(EncodedInputs(sequences, None, None))

    sklearn = TfidfVectorizer(smooth_idf=True, ngram_range=(1, 2), token_pattern=r"\S+").fit(corpus)
    terms = sklearn.get_feature_names_out()

    def feature(term: str) -> int:  # a word's id, or a bigram's hashed id (the features after the 2 words)
        ids = [vocab[w] for w in term.split()]
        return ids[0] if len(ids) == 1 else int(ngram_ids(torch.tensor([ids]), len(words) + 3, 2, 2 ** 20)[0, 2])

    ours = [feature(term) for term in terms]
    assert len(set(ours)) == len(terms)  # no hash collisions in this corpus
    np.testing.assert_allclose(model.idf[ours].numpy(), sklearn.idf_, rtol=1e-6)

    # the model's logit is the L2-normalized tf-idf vector times its weights, as scikit-learn's transform
    weights = torch.randn(len(terms), dtype=torch.float64)
    with torch.no_grad():
        model.weight[ours, 0] = weights.float()
    expected = sklearn.transform(corpus).toarray() @ weights.numpy()
    ids = _pad([s.tolist() for s in sequences], 6, "pre")
    np.testing.assert_allclose(_logits(model, ids)[:, 0].numpy(), expected, rtol=1e-5, atol=1e-6)


def test_presets_fill_only_the_settings_a_user_left_unset():
    config = apply_presets(trainwright.build_config(overrides={"model": {"name": "cnn", "dropout": 0.3}}))
    assert config.model.dropout == 0.3  # given: kept
    assert config.model.embedding_dim == CNNModel().embedding_dim != 64  # not given: the cnn's own default
    assert apply_presets(trainwright.build_config(overrides={"model": {"name": "lstm"}})).model.embedding_dim == 64


def test_settings_an_architecture_cannot_take_are_config_errors():
    bad = trainwright.build_config(overrides={"model": {"name": "transformer", "embedding_dim": 30,
                                                        "attention_heads": 4}})
    with pytest.raises(trainwright.ConfigError, match="embedding_dim.*attention_heads"):
        model_sizes("transformer", bad.model, {"vocab_size": VOCAB}, 2)
    empty = trainwright.build_config(overrides={"model": {"name": "cnn", "filter_sizes": []}})
    with pytest.raises(trainwright.ConfigError, match="filter_sizes"):
        model_sizes("cnn", empty.model, {"vocab_size": VOCAB}, 2)


@pytest.mark.parametrize("name", ZOO)
def test_trains_on_reviews_and_reloads(name, reviews_csv, tiny_config, tmp_path):
    config = tiny_config.model_copy(deep=True)
    config.model.name = name
    if "hash_buckets" in type(config.model).model_fields:
        config.model.hash_buckets = 1024
    if "num_filters" in type(config.model).model_fields:
        config.model.num_filters = 16
    config.train.batch_size = 16  # not the bag-of-words presets' large batches: 216 rows need the steps
    if name == "fasttext":  # its preset's Adagrad rate: tiny_config's 0.01 is an LSTM's Adam rate
        config.train.learning_rate = 0.1
    result = trainwright.train(reviews_csv, out=tmp_path / name, config=config)
    assert result.metrics["valid"]["accuracy"] >= 0.8, result.history
    predictor = trainwright.load(result.path)
    assert predictor.predict(["the kettle was excellent", "the kettle was awful"]).labels == ["pos", "neg"]
