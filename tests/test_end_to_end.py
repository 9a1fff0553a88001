"""Brief trainings on real data: the seed model learns English and Chinese sentiment well above chance."""

import trainwright

from conftest import shared_data


def test_sst2_two_epochs_well_above_chance(tmp_path):
    sst2 = shared_data("text", "sst2")
    config = trainwright.build_config(overrides={"train": {"epochs": 2}})
    result = trainwright.train(sst2 / "train.csv", valid=sst2 / "dev.csv", test=sst2 / "test.csv",
                               out=tmp_path / "sst2", config=config)
    assert result.metrics["test"]["accuracy"] > 0.72
    assert result.metrics["test"]["n"] == 1821
    assert trainwright.evaluate(result.path, sst2 / "test.csv") == result.metrics["test"]


def test_chinese_reviews_are_read_as_characters_and_learned(tmp_path, caplog):
    import pandas as pd

    reviews = pd.read_csv(shared_data("text", "waimai_10k.csv")).sample(3000, random_state=0)
    path = tmp_path / "waimai.csv"
    reviews.to_csv(path, index=False)
    config = trainwright.build_config(overrides={"train": {"epochs": 3}})
    with caplog.at_level("INFO", logger="trainwright"):
        result = trainwright.train(path, out=tmp_path / "waimai", config=config)
    assert "split into characters" in caplog.text
    assert "target column: 'label'" in caplog.text and "text column: 'review'" in caplog.text
    majority = reviews["label"].value_counts(normalize=True).max()
    assert result.metrics["valid"]["accuracy"] > majority + 0.1
