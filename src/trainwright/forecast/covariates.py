"""Covariates (`--covariates COL ...`): numeric columns beside the target, put on each series' regular grid.

Each covariate is averaged over a repeated timestamp and filled where a period lacks it (interpolated, then the
nearest value at the ends), since the tree forecaster reads its past values as lags (forecast/lags.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from .series import Panel, parse_times

_NUMERIC_SHARE = 0.8  # as forecast/series.py: a column is numeric when this share of its cells are numbers


def read_covariates(frame: pd.DataFrame, panel: Panel, names: list[str], source: str) -> dict[str, np.ndarray]:
    """Each series' covariates (n, len(names)) on its periods, by id; a clear error for a column that is not
    in the table, is a column the panel already uses, or is not numeric."""
    columns = panel.columns
    if columns.id is not None and columns.id not in frame.columns or columns.target not in frame.columns:
        raise DataError(f"{source}: a wide table (one column per series) has no covariates. Give a long table, "
                        "one row per series and date, with --id, --target and the covariates' columns.")
    used = {columns.id, columns.time, columns.target}
    for name in names:
        if name not in frame.columns:
            raise DataError(f"{source}: no column '{name}' for --covariates (columns: "
                            f"{', '.join(map(str, frame.columns))}).")
        if name in used:
            raise DataError(f"{source}: '{name}' is the series' id, time or target column; it cannot also be a "
                            "covariate. Leave it out of --covariates.")
    values = {name: _numeric(frame[name], name, source) for name in names}
    times = parse_times(frame[columns.time], source, columns.time)
    ids = frame[columns.id].astype(str) if columns.id else pd.Series("series", index=frame.index)
    table = pd.DataFrame({"id": ids.to_numpy(), "time": pd.DatetimeIndex(times).to_numpy(), **values})
    result = {}
    for key, rows in table.groupby("id", sort=False):
        if key not in panel.series:
            continue
        grid = panel[key].values.index
        on_grid = rows.groupby("time")[names].mean().reindex(grid)
        result[key] = on_grid.interpolate(limit_direction="both").to_numpy(dtype=np.float64)
    return {key: result.get(key, np.zeros((len(s.values), len(names)))) for key, s in panel.series.items()}


def _numeric(column: pd.Series, name: str, source: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce")
    present = column.notna() & (column.astype("string").str.strip() != "")
    if present.any() and values[present].notna().mean() < _NUMERIC_SHARE:
        examples = ", ".join(repr(str(v)) for v in column[present & values.isna()].head(3))
        raise DataError(f"{source}: covariate '{name}' is not numeric ({examples}, ...): covariates are used as "
                        "numbers. Leave it out of --covariates or convert it to numbers.")
    return values.to_numpy(dtype=np.float64)
