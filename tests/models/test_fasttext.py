"""fastText trained as the fastText library trains it: sparse updates of the rows a batch uses, by an optimizer
that takes sparse gradients, and the settings that cannot act on a sparse table refused or told."""

import logging

import lightning as L
import pytest
import torch
from torch.utils.data import DataLoader

import trainwright
from conftest import make_reviews
from trainwright.models import build_model
from trainwright.models.fasttext import ngram_ids
from trainwright.models.presets import apply_presets
from trainwright.train.module import TaskModule, check_sparse_settings

VOCAB = 30
IDS = torch.tensor([[0, 4, 5, 6], [7, 8, 9, 10]])  # two texts, the first pre-padded


def _preset(**sections):
    return apply_presets(trainwright.build_config(overrides={"model": {"name": "fasttext"}, **sections}))


def test_a_training_step_updates_only_the_rows_its_texts_use():
    config = _preset()
    torch.manual_seed(0)
    model = build_model("fasttext", vocab_size=VOCAB, num_outputs=1, embedding_dim=8, ngrams=2, hash_buckets=64)
    with torch.no_grad():
        model.head.weight.fill_(0.5)  # a non-zero head, so the first step moves the embedding rows
    before = model.embedding.weight.detach().clone()
    seen = {}

    class Spy(L.Callback):
        def on_after_backward(self, trainer, module):
            grad = module.model.embedding.weight.grad
            seen["layout"], seen["rows"] = grad.layout, set(grad.coalesce().indices()[0].tolist())
            seen["optimizer"] = type(trainer.optimizers[0])

    batches = DataLoader([({"ids": IDS}, torch.tensor([0.0, 1.0]))], batch_size=None)
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, accelerator="cpu", callbacks=[Spy()])
    trainer.fit(TaskModule(model, "binary", config.train, config.regularization), batches)

    used = set(ngram_ids(IDS, VOCAB, 2, 64).flatten().tolist()) - {0}
    assert seen["layout"] == torch.sparse_coo and seen["optimizer"] is torch.optim.Adagrad
    assert seen["rows"] == used
    changed = set((model.embedding.weight.detach() != before).any(dim=1).nonzero().flatten().tolist())
    assert changed == used  # every other row of the table is left as it was


def test_settings_that_cannot_act_on_a_sparse_table_are_refused_or_told(caplog):
    with pytest.raises(trainwright.ConfigError, match="train.optimizer 'adam'.*adagrad.*sgd"):
        check_sparse_settings(_preset(train={"optimizer": "adam"}).train, _preset().regularization)
    with pytest.raises(trainwright.ConfigError, match="regularization.gradient_clip"):
        check_sparse_settings(_preset().train, _preset(regularization={"gradient_clip": 1.0}).regularization)
    with caplog.at_level(logging.WARNING, logger="trainwright"):
        check_sparse_settings(_preset().train, _preset(regularization={"weight_decay": 0.01}).regularization)
    assert "regularization.weight_decay 0.01 decays the output layer only" in caplog.text
    check_sparse_settings(_preset(train={"optimizer": "sgd"}).train, _preset().regularization)  # plain SGD: fine


def test_adam_asked_for_fasttext_stops_the_run_with_the_key(reviews_csv, tmp_path):
    config = _preset(train={"optimizer": "adam", "threads": 1, "epochs": 1})
    with pytest.raises(trainwright.ConfigError, match="train.optimizer"):
        trainwright.train(reviews_csv, out=tmp_path / "run", config=config)


def test_preset_trains_a_separable_set_and_the_saved_model_predicts_the_same(reviews_csv, tmp_path):
    test = tmp_path / "test.csv"
    make_reviews(80, seed=5).to_csv(test, index=False)
    config = trainwright.build_config(overrides={"model": {"name": "fasttext", "hash_buckets": 4096},
                                                 "data": {"text": ["review"], "features": []},
                                                 "train": {"threads": 1}})
    result = trainwright.train(reviews_csv, test=test, out=tmp_path / "run", config=config)
    assert result.metrics["test"]["accuracy"] >= 0.95, result.history
    assert len(result.history) == 4  # the preset's fixed epochs, the learning rate decaying to 0 over them
    reloaded = trainwright.evaluate(result.path, test)
    assert reloaded["accuracy"] == result.metrics["test"]["accuracy"]
    assert reloaded["loss"] == pytest.approx(result.metrics["test"]["loss"], rel=1e-6)
