"""What cleaning did to the training data, as a few plain sentences for the user."""

from __future__ import annotations

from .disguised import MissingMarker
from .missing import AUTO_INDICATOR_SHARE, INDICATOR_SUFFIX, MissingValueImputer
from .outliers import OutlierHandler
from .rows import RowCleaner

_LISTED = 8  # columns named in one sentence before "and N more"


def row_lines(rows: RowCleaner) -> list[str]:
    lines = []
    if rows.duplicates_:
        lines.append(f"{_count(rows.duplicates_, 'duplicate row')} dropped")
    c = rows.conflicts_
    if c["inputs"] and rows.conflicts == "majority":
        done = [f"kept the majority label ({c['majority']})"] if c["majority"] else []
        done += [f"dropped ties ({c['ties']})"] if c["ties"] else []
        lines.append(f"{_count(c['inputs'], 'input')} with conflicting labels: {', '.join(done)}; "
                     f"{_count(c['rows_dropped'], 'row')} dropped")
    elif c["inputs"]:
        lines.append(f"{_count(c['inputs'], 'input')} with conflicting labels: all "
                     f"{_count(c['rows_dropped'], 'row')} dropped")
    return lines


def placeholder_lines(marker: MissingMarker, non_numbers: dict[str, int]) -> list[str]:
    """'`?` treated as missing in 21 columns', one line per placeholder; stray words in numeric columns."""
    columns_by_token: dict[str, list[str]] = {}
    cells: dict[str, int] = {}
    for column, tokens in marker.counts_["tokens"].items():
        for token, count in tokens.items():
            columns_by_token.setdefault(token, []).append(column)
            cells[token] = cells.get(token, 0) + count
    lines = [f"`{token}` treated as missing in {_columns(columns)} ({_count(cells[token], 'value')})"
             for token, columns in columns_by_token.items()]
    lines += [f"{column}: {_count(n, 'value')} that {'is' if n == 1 else 'are'} not a number treated as missing"
              for column, n in non_numbers.items() if n]
    return lines


def kept_lines(marker: MissingMarker) -> list[str]:
    """'capital_gain: 143 values of 99,999: suspected sentinel, kept: its rows carry signal'."""
    return [f"{column}: {_sentinel_count(value, n)}: suspected sentinel, kept: {why}"
            for column, values in marker.counts_["kept"].items() for value, (n, why) in values.items()]


def outlier_lines(outliers: OutlierHandler) -> list[str]:
    mode = outliers.config.outliers
    if mode == "drop":
        if not outliers.counts_:
            return []
        per_column = ", ".join(f"{c} {below + above}" for c, (below, above) in outliers.counts_.items())
        return [f"{_count(outliers.rows_dropped_, 'row')} with outliers dropped ({per_column})"]
    action = "treated as missing" if mode == "as_missing" else "clipped"
    lines = []
    for column, (below, above) in outliers.counts_.items():
        low, high = outliers.bounds_[column]
        parts = [f"{_count(below, 'value')} below {_number(low)}"] if below else []
        parts += [f"{above if below else _count(above, 'value')} above {_number(high)}"] if above else []
        lines.append(f"{column}: {' and '.join(parts)} {action}")
    return lines


def missing_lines(marker: MissingMarker, imputer: MissingValueImputer, gaps: dict[str, int]) -> list[str]:
    """Per column with sentinels, one sentence; the other columns with gaps grouped by how they were filled."""
    lines, grouped = [], {}
    for column in imputer.numeric + imputer.categorical:
        sentinels = marker.counts_["sentinels"].get(column)
        if sentinels:
            found = " and ".join(_sentinel_count(value, n) for value, n in sentinels.items())
            how = f"{_how(imputer, column)} {_fill(imputer, column)}".strip()
            lines.append(f"{column}: {found} treated as missing, {how}")
        elif gaps.get(column) and imputer.strategies_[column] != "drop_row":
            kind = "categorical" if column in imputer.categorical else "numeric"
            grouped.setdefault((kind, _how(imputer, column)), []).append(column)
    for (kind, how), columns in grouped.items():
        fills = [_fill(imputer, c) for c in columns]
        if len(columns) == 1:
            lines.append(f"{columns[0]}: missing values {how} {fills[0]}".strip())
        elif len(set(fills)) == 1:  # one value for all (a constant), or none (knn, ffill, ...)
            lines.append(f"{len(columns)} {kind} columns with missing values {how} {fills[0]}".strip()
                         + f": {_names(columns)}")
        else:
            items = [f"{c} {fill}" for c, fill in zip(columns, fills)]
            lines.append(f"{len(columns)} {kind} columns with missing values {how}: {_names(items)}")
    if getattr(imputer, "rows_dropped_", 0):
        lines.append(f"{_count(imputer.rows_dropped_, 'row')} with a missing value dropped (strategy drop_row)")
    if imputer.indicators_:
        names = [c + INDICATOR_SUFFIX for c in imputer.indicators_]
        share = f"≥ {AUTO_INDICATOR_SHARE:.0%}" if imputer.config.missing_indicator == "auto" else "any"
        lines.append(f"missingness kept as a feature for {_columns(imputer.indicators_)} with {share} "
                     f"missing: {_names(names)}")
    return lines


def text_lines(changed: dict[str, tuple[int, int]], steps: list[str]) -> list[str]:
    return [f"{column}: text normalized ({', '.join(steps)}), {n} of {total} values changed"
            for column, (n, total) in changed.items() if n]


def _how(imputer: MissingValueImputer, column: str) -> str:
    """How a column's gaps are filled, to be followed by `_fill` (the value, where there is one)."""
    if column in imputer.categorical:
        if imputer.strategies_[column] == "constant":
            return "filled with the category"
        return "imputed with the most frequent value"
    return {
        "mean": "imputed with the mean",
        "median": "imputed with the median",
        "most_frequent": "imputed with the most frequent value",
        "constant": "filled with",
        "knn": f"imputed from the {imputer.config.knn_neighbors} nearest rows",
        "iterative": "imputed by iterative regression on the other numeric columns",
        "ffill": "filled from the previous row",
        "bfill": "filled from the next row",
        "interpolate": "interpolated between the neighbouring rows",
        "drop_row": "those rows dropped",
    }[imputer.strategies_[column]]


def _fill(imputer: MissingValueImputer, column: str) -> str:
    """The value a column's gaps get, for the strategies that fill one value; else ""."""
    fill = imputer.fill_[column]
    if column in imputer.categorical:
        return f'"{fill}"' if imputer.strategies_[column] != "drop_row" else ""
    return _number(fill) if imputer.strategies_[column] in ("mean", "median", "most_frequent", "constant") else ""


def _sentinel_count(value: float, n: int) -> str:
    if value == 0:
        return _count(n, "zero")
    return f"{_count(n, 'value')} of {_number(value)}"


def _columns(columns: list[str]) -> str:
    return f"column {columns[0]}" if len(columns) == 1 else f"{len(columns)} columns"


def _names(names: list[str]) -> str:
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _number(value: float) -> str:
    """117, 32.3, 0.3725, 1,234: short, with the digits that matter."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"
