"""Series in, regular series out: columns and times inferred, frequency per series, messiness named and repaired."""

import numpy as np
import pandas as pd
import pytest
from conftest import shared_data

from trainwright.errors import ConfigError, DataError
from trainwright.forecast.frequency import describe, infer_frequency
from trainwright.forecast.regular import unusual_changes
from trainwright.forecast.series import parse_times, read_panel

CLASSIC = {"AirPassengers": 144, "nottem": 240, "co2": 468, "UKDriverDeaths": 192, "USAccDeaths": 72, "UKgas": 108}


def classic() -> pd.DataFrame:
    return pd.read_csv(shared_data("timeseries", "classic_panel.csv"))


def kinds(panel, series=None) -> dict[str, list]:
    found = {}
    for f in panel.findings:
        if series is None or f.series == series:
            found.setdefault(f.kind, []).append(f)
    return found


def test_classic_panel_five_monthly_series_and_one_quarterly():
    panel = read_panel(classic(), "classic_panel.csv", min_length=24)
    assert {s.id: len(s.values) for s in panel} == CLASSIC
    assert {s.id: s.frequency.name for s in panel} == {**{k: "monthly" for k in CLASSIC}, "UKgas": "quarterly"}
    assert {s.id: s.season_length for s in panel} == {**{k: 12 for k in CLASSIC}, "UKgas": 4}
    assert all(s.values.index.freq is not None and not s.values.isna().any() for s in panel)
    assert panel["AirPassengers"].values.iloc[:3].tolist() == [112, 118, 132]
    assert panel["AirPassengers"].values.index[0] == pd.Timestamp("1949-01-01")
    assert (panel.columns.id, panel.columns.time, panel.columns.target) == ("series", "date", "value")
    assert any("id column: 'series'" in r for r in panel.columns.reasons)
    assert not kinds(panel, "AirPassengers")  # a clean series has nothing to say
    arrays = panel.arrays()
    assert arrays["co2"].dtype == np.float64 and arrays["co2"].shape == (468,)


def test_stocks_dates_like_jan_1_2000_and_a_late_start():
    panel = read_panel(pd.read_csv(shared_data("timeseries", "stocks.csv")), "stocks.csv", min_length=24)
    assert sorted(panel.ids) == ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"]
    assert {s.frequency.alias for s in panel} == {"MS"}
    assert panel["MSFT"].values.index[0] == pd.Timestamp("2000-01-01")
    assert panel.columns.target == "price"
    late = kinds(panel)["late_start"]
    assert [f.series for f in late] == ["GOOG"] and "2004-08-01" in late[0].message
    assert late[0] in panel["GOOG"].findings


def messy_panel(tmp_path) -> pd.DataFrame:
    """The classic panel with what real files have: a gap, a repeated date, NA and text in the values and one
    series shorter than the horizon; written and read back as a user's CSV would be."""
    frame = classic().astype({"value": object})
    air = frame.index[frame.series == "AirPassengers"]
    frame = frame.drop(air[10:13])  # 1949-11 to 1950-01 missing
    nottem = frame.index[frame.series == "nottem"]
    repeat = frame.loc[[nottem[5]]].assign(value=frame.loc[nottem[5], "value"] + 10)
    frame = pd.concat([frame.loc[:nottem[5]], repeat, frame.loc[nottem[6]:]], ignore_index=True)
    co2 = frame.index[frame.series == "co2"]
    frame.loc[co2[7], "value"] = None
    deaths = frame.index[frame.series == "UKDriverDeaths"]
    frame.loc[deaths[3], "value"] = "about 1500"
    frame = frame.drop(frame.index[frame.series == "USAccDeaths"][8:]).reset_index(drop=True)
    path = tmp_path / "messy_panel.csv"
    frame.to_csv(path, index=False)
    return pd.read_csv(path)


def test_messy_panel_findings_and_repairs(tmp_path):
    frame = messy_panel(tmp_path)
    original = classic()
    panel = read_panel(frame, "messy_panel.csv", min_length=12 + 12)

    gaps = kinds(panel, "AirPassengers")["gaps"]
    assert "3 missing monthly periods in 1 gap" in gaps[0].message and "1949-11-01" in gaps[0].message
    air = panel["AirPassengers"].values
    assert len(air) == 144 and air.index.freq == "MS"
    before, after = air["1949-10-01"], air["1950-02-01"]
    assert air["1949-11-01":"1950-01-01"].tolist() == pytest.approx(np.linspace(before, after, 5)[1:-1].tolist())

    duplicate = kinds(panel, "nottem")["duplicate_timestamps"][0]
    row = int(np.flatnonzero((frame.series == "nottem").to_numpy())[5]) + 1
    assert duplicate.rows == [row, row + 1] and "1920-06-01" in duplicate.message
    nottem_june = original[original.series == "nottem"].value.iloc[5]
    assert panel["nottem"].values["1920-06-01"] == pytest.approx(nottem_june + 5)  # mean of x and x + 10

    missing = kinds(panel, "co2")["missing_target"][0]
    assert missing.rows == [int(np.flatnonzero((frame.series == "co2").to_numpy())[7]) + 1]
    co2 = panel["co2"].values
    assert co2.iloc[7] == pytest.approx((co2.iloc[6] + co2.iloc[8]) / 2)

    text = kinds(panel, "UKDriverDeaths")["non_numeric"][0]
    assert "'about 1500'" in text.message and "interpolate" in text.message
    assert not panel["UKDriverDeaths"].values.isna().any()

    assert "USAccDeaths" not in panel.ids
    short = kinds(panel, "USAccDeaths")["too_short"][0]
    assert "8 observations" in short.message and "left out" in short.message and len(short.rows) == 8
    assert sorted(panel.ids) == sorted(set(CLASSIC) - {"USAccDeaths"})


def test_repeated_dates_refused_with_their_rows(tmp_path):
    frame = messy_panel(tmp_path)
    with pytest.raises(DataError, match=r"messy_panel.csv: series 'nottem': 1 timestamp appears more than once "
                                        r"\(1920-06-01; rows \d+, \d+\).*duplicates='mean'"):
        read_panel(frame, "messy_panel.csv", duplicates="error")


@pytest.mark.parametrize("rule, expected", [("mean", 2.0), ("sum", 4.0), ("last", 3.0)])
def test_duplicate_rules(rule, expected):
    frame = pd.DataFrame({"date": ["2000-01", "2000-02", "2000-02", "2000-03", "2000-04"],
                          "y": [0.0, 1.0, 3.0, 4.0, 5.0]})
    panel = read_panel(frame, "t.csv", duplicates=rule)
    assert panel["series"].values["2000-02-01"] == expected


@pytest.mark.parametrize("rule, expected", [("interpolate", [1, 2, 3, 4, 5]), ("ffill", [1, 2, 2, 2, 5]),
                                            ("zero", [1, 2, 0, 0, 5]), ("none", [1, 2, None, None, 5])])
def test_fill_rules(rule, expected):
    frame = pd.DataFrame({"date": pd.date_range("2000-01-01", periods=5, freq="D").astype(str),
                          "y": [1, 2, None, 4, 5]}).drop(index=3)  # a missing value, then a missing day
    values = read_panel(frame, "t.csv", fill=rule)["series"].values
    assert values.index.freq == "D"
    assert values.tolist() == pytest.approx([np.nan if v is None else v for v in expected], nan_ok=True)


@pytest.mark.parametrize("written, expected", [
    (["2000-01-31", "2000-02-29"], ["2000-01-31", "2000-02-29"]),
    (["Jan 1 2000", "Feb 1 2000"], ["2000-01-01", "2000-02-01"]),
    (["01/31/2000", "02/29/2000"], ["2000-01-31", "2000-02-29"]),
    (["2000-01-01 13:00:00", "2000-01-01 14:00:00"], ["2000-01-01 13:00", "2000-01-01 14:00"]),
    (["2000-01-01T13:00:00Z", "2000-01-01T15:00:00+01:00"], ["2000-01-01 13:00", "2000-01-01 14:00"]),
    (["2000-01", "2000-02"], ["2000-01-01", "2000-02-01"]),
    (["1960 Q1", "1960Q2", "1960-Q3", "1960 q4"], ["1960-01-01", "1960-04-01", "1960-07-01", "1960-10-01"]),
    (["1999", "2000"], ["1999-01-01", "2000-01-01"]),
    ([1999, 2000], ["1999-01-01", "2000-01-01"]),
])
def test_time_formats(written, expected):
    assert parse_times(pd.Series(written), "t.csv", "date").tolist() == [pd.Timestamp(e) for e in expected]


def test_unparseable_times_name_file_column_rows_and_what_to_do():
    with pytest.raises(DataError) as error:
        parse_times(pd.Series(["2000-01-01", "soon", "2000-03-01", None]), "sales.csv", "date")
    message = str(error.value)
    assert "sales.csv: column 'date': 2 values are missing or not dates ('soon', (empty); rows 2, 4" in message
    assert "Write them like 2000-01-31" in message


def test_wide_table_is_read_as_one_series_per_column():
    dates = pd.date_range("2000-01-01", periods=30, freq="MS")
    frame = pd.DataFrame({"month": dates.strftime("%Y-%m"), "north": np.arange(30.0), "south": np.arange(30.0) * 2})
    panel = read_panel(frame, "wide.csv")
    assert sorted(panel.ids) == ["north", "south"]
    assert panel["south"].values.iloc[-1] == 58.0 and panel["north"].frequency.alias == "MS"
    assert any(r.startswith("wide table: 2 numeric columns (north, south)") for r in panel.columns.reasons)


def test_a_single_series_needs_no_id_and_covariates_are_kept_aside():
    frame = pd.DataFrame({"when": pd.date_range("2020-01-01", periods=48, freq="h").astype(str),
                          "load": np.sin(np.arange(48.0)), "holiday": ["no"] * 48})
    panel = read_panel(frame, "load.csv")
    columns = panel.columns
    assert (columns.id, columns.time, columns.target, columns.covariates) == (None, "when", "load", ["holiday"])
    assert panel["series"].frequency.name == "hourly" and panel["series"].season_length == 24
    assert any("no id column" in r for r in columns.reasons)
    assert panel.to_frame().columns.tolist() == ["id", "when", "load"]


def test_dates_off_the_grid_are_named_and_moved_to_the_nearest_period():
    dates = pd.date_range("2000-01-01", periods=24, freq="MS").strftime("%Y-%m-%d").tolist()
    dates[5] = "2000-06-03"
    panel = read_panel(pd.DataFrame({"date": dates, "y": np.arange(24.0)}), "t.csv")
    irregular = kinds(panel)["irregular"][0]
    assert "1 timestamp is off its monthly grid (2000-06-03; row 6)" in irregular.message
    assert panel["series"].values["2000-06-01"] == 5.0 and len(panel["series"].values) == 24


def test_outliers_and_level_shifts_are_named_not_changed():
    rng = np.random.default_rng(0)
    values = 10 + rng.normal(0, 0.1, 120)
    values[30] += 5  # a spike that comes back
    values[80:] += 3  # a new level that stays
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=120, freq="D"))
    found = {f.kind: f for f in unusual_changes("s", series, season_length=1)}
    assert set(found) == {"outlier", "level_shift"}
    assert "2000-01-31" in found["outlier"].message and "2000-03-21" in found["level_shift"].message
    frame = pd.DataFrame({"date": series.index.astype(str), "y": values})
    panel = read_panel(frame, "t.csv")
    assert panel["series"].values.to_numpy() == pytest.approx(values)  # named, left as they are
    assert kinds(panel)["outlier"][0].rows == [31]


def test_frequency_tolerates_gaps_and_names_season_lengths():
    months = pd.date_range("2000-01-31", periods=40, freq="ME").delete([3, 4, 17])
    assert infer_frequency(months).alias == "ME"
    assert infer_frequency(months[:2]) is None
    assert {a: describe(a).season_length for a in ["MS", "QS", "YS", "W", "D", "h", "B"]} == \
        {"MS": 12, "QS": 4, "YS": 1, "W": 52, "D": 7, "h": 24, "B": 5}
    assert describe("15min").season_length == 96 and describe("2D").name == "every 2 days"


def test_options_and_columns_are_checked():
    frame = pd.DataFrame({"date": ["2000-01", "2000-02", "2000-03"], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(ConfigError, match="fill='linear' is not a known rule; choose one of interpolate, ffill"):
        read_panel(frame, "t.csv", fill="linear")
    with pytest.raises(DataError, match="t.csv: no column 'sales' for the target .*columns: date, y"):
        read_panel(frame, "t.csv", target="sales")
    with pytest.raises(DataError, match="t.csv: no column parses as dates"):
        read_panel(frame.drop(columns="date").assign(x=[4.0, 5.0, 6.0]), "t.csv")


@pytest.mark.parametrize("value_name", ["value", "passengers"])
def test_a_pandas_index_column_is_left_out_and_said(tmp_path, value_name):
    """A file written by pandas with its index: the unnamed column of row numbers is neither a series nor the target."""
    values = 100 + 10 * np.sin(np.arange(36) * np.pi / 6)
    frame = pd.DataFrame({"date": pd.date_range("2010-01-01", periods=36, freq="MS").strftime("%Y-%m-%d"),
                          value_name: values})
    frame.to_csv(tmp_path / "one.csv")  # index included: a first column `Unnamed: 0` once read back
    panel = read_panel(pd.read_csv(tmp_path / "one.csv"), "one.csv")
    assert panel.ids == ["series"] and panel.columns.target == value_name and panel.columns.covariates == []
    assert "column 'Unnamed: 0' left out: an unnamed column of distinct whole numbers: a row index written with " \
           "the file" in panel.columns.reasons
    assert np.allclose(panel["series"].to_numpy(), values)


def test_a_wide_table_with_a_column_named_value():
    dates = pd.date_range("2000-01-01", periods=30, freq="MS").strftime("%Y-%m")
    frame = pd.DataFrame({"month": dates, "value": np.linspace(1, 3, 30), "other": np.linspace(5, 9, 30)})
    panel = read_panel(frame, "wide.csv")
    assert sorted(panel.ids) == ["other", "value"] and panel.columns.target == "values"
