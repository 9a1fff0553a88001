"""The Cleaner on real tables: Pima's impossible zeros and horse-colic's `?`."""

import pandas as pd
from conftest import shared_data

from trainwright.clean import Cleaner, CleaningConfig

PIMA_ZEROS = {"glucose": 5, "blood_pressure": 35, "skin_thickness": 227, "insulin": 374, "bmi": 11}


def test_pima_zeros_are_missing_values():
    frame = pd.read_csv(shared_data("tabular", "pima-indians-diabetes.csv"))
    numeric = [c for c in frame.columns if c != "outcome"]
    cleaner = Cleaner(CleaningConfig(missing_indicator="auto"), numeric=numeric, target="outcome")
    cleaned, summary = cleaner.fit_resample(frame, "pima-indians-diabetes.csv"), cleaner.summary_
    assert cleaner.marker_.sentinels_ == {column: [0.0] for column in PIMA_ZEROS}
    for column, zeros in PIMA_ZEROS.items():
        median = cleaner.imputer_.fill_[column]
        assert f"{column}: {zeros} zeros treated as missing, imputed with the median {median:g}" in summary
        assert (cleaned[column] > 0).all()
    assert "glucose: 5 zeros treated as missing, imputed with the median 117" in summary
    assert (cleaned["pregnancies"] == 0).sum() == 111  # a real zero stays
    assert cleaner.feature_columns_[-2:] == ["skin_thickness__missing", "insulin__missing"]
    assert cleaned["insulin__missing"].sum() == 374
    # A prediction row with glucose 0 is treated as the training rows were.
    row = frame.drop(columns="outcome").iloc[[0]].assign(glucose=0)
    assert cleaner.transform(row)["glucose"].tolist() == [117.0]


def test_horse_colic_question_marks_are_missing_values():
    frame = pd.read_csv(shared_data("tabular", "horse-colic.csv"))
    numeric = ["rectal_temperature", "pulse", "respiratory_rate", "nasogastric_reflux_ph", "packed_cell_volume",
               "total_protein", "abdomcentesis_total_protein"]
    categorical = [c for c in frame.columns if c not in numeric + ["outcome", "hospital_number", "lesion_site"]]
    cleaner = Cleaner(CleaningConfig(missing="knn"), numeric=numeric, categorical=categorical, target="outcome")
    cleaned, summary = cleaner.fit_resample(frame, "horse-colic.csv"), cleaner.summary_
    assert "`?` treated as missing in 21 columns (1,605 values)" in summary
    # Horses with several lesions have one row each; without lesion_site those rows are duplicates.
    assert "7 duplicate rows dropped" in summary
    assert not cleaned[numeric + categorical].isna().any().any() and len(cleaned) == 300 - 7 - 2
    assert cleaned["outcome"].isna().sum() == 1  # a `?` label: left for training to report and leave out
