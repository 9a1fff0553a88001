"""Brief trainings on real data: the seed model learns English and Chinese sentiment well above chance."""

import numpy as np
import pandas as pd

import trainwright

from conftest import shared_data


def test_sst2_two_epochs_well_above_chance(tmp_path):
    sst2 = shared_data("text", "sst2")
    config = trainwright.build_config(overrides={"model": {"name": "lstm"}, "train": {"epochs": 2}})
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
    config = trainwright.build_config(overrides={"model": {"name": "lstm"}, "train": {"epochs": 3}})
    with caplog.at_level("INFO", logger="trainwright"):
        result = trainwright.train(path, out=tmp_path / "waimai", config=config)
    assert "split into characters" in caplog.text
    assert "target column: 'label'" in caplog.text and "text column: 'review'" in caplog.text
    majority = reviews["label"].value_counts(normalize=True).max()
    assert result.metrics["valid"]["accuracy"] > majority + 0.1


def make_dirty(clean, rng):
    """SST-2 as it arrives from a scrape: empty texts, missing labels, HTML, stray whitespace, and repeated
    sentences with a conflicting label. The repeats follow their original (majority) row."""
    import html

    rows = []
    for position, row in enumerate(clean.itertuples(index=False)):
        text, label = row.text, row.label
        if position % 7 == 0:
            text = f"<p>{html.escape(text)}</p>"
        if position % 11 == 0:
            text = "  " + text.replace(" ", "   ") + "\t"
        rows.append({"label": label, "text": text})
        if position % 50 == 0:  # a duplicate, and the same sentence with the other label: majority keeps ours
            rows += [{"label": label, "text": row.text}, {"label": 1 - label, "text": row.text}]
        if position % 97 == 0:
            rows += [{"label": int(rng.integers(2)), "text": "   "}, {"label": None, "text": row.text + " !"}]
    return pd.DataFrame(rows)


def test_a_dirty_copy_trains_as_well_as_the_clean_file(tmp_path, caplog):
    sst2 = shared_data("text", "sst2")
    clean = pd.read_csv(sst2 / "train.csv")
    dirty = make_dirty(clean, np.random.default_rng(0))
    dirty.to_csv(tmp_path / "dirty.csv", index=False)
    config = trainwright.build_config(overrides={"model": {"name": "lstm"}, "train": {"epochs": 2}})
    with caplog.at_level("INFO", logger="trainwright"):
        from_dirty = trainwright.train(tmp_path / "dirty.csv", valid=sst2 / "dev.csv", test=sst2 / "test.csv",
                                       out=tmp_path / "dirty", config=config.model_copy(deep=True))
    from_clean = trainwright.train(sst2 / "train.csv", valid=sst2 / "dev.csv", test=sst2 / "test.csv",
                                   out=tmp_path / "clean", config=config.model_copy(deep=True))
    said = caplog.text
    assert "rows left out, empty text" in said and "rows left out, missing label" in said
    cleaning = " ".join(from_dirty.metrics["cleaning"])
    assert "duplicate rows dropped" in cleaning and "conflicting labels" in cleaning and "HTML" in cleaning
    assert abs(from_dirty.metrics["test"]["accuracy"] - from_clean.metrics["test"]["accuracy"]) <= 0.01
