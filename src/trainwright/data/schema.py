"""Which column is the target and which are the inputs, when the user does not say.

The target is the column named like a label (label, target, class, sentiment, y, outcome, ...; whole words,
so `workclass` is not one), else the last column with few distinct values, as UCI files put it last. Inputs
are the other columns by kind (see `kinds`): free-form text columns are read by the text model; numeric,
categorical and binary columns are table features; identifiers, constants, dates and columns that alone give
the target away (see `leakage`) are left out. Each choice comes with the reason, told to the user once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError
from .kinds import infer_kind
from .leakage import Leak, find_leaks

_TARGET_NAME = re.compile(r"^(labels?|targets?|class(es)?|sentiment|y|category|outcome|polarity)$", re.I)
# A label word as a whole word of the name (income_class, Class Label), not inside another word (workclass).
_TARGET_PART = re.compile(r"(?<![a-z])(labels?|targets?|class(es)?|sentiment)(?![a-z])", re.I)
_MAX_CLASSES = 50  # a column with more distinct values than this is not taken as a class label by inference


@dataclass
class ColumnRoles:
    target: str
    text: list[str]
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)  # column -> why it is not an input
    reasons: list[str] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)  # table columns that alone give the target away
    warnings: list[str] = field(default_factory=list)  # to be said loudly before training
    image: list[str] = field(default_factory=list)  # a column of image names (paths, archive.zip:member)

    @property
    def inputs(self) -> list[str]:
        return self.text + self.numeric + self.categorical + self.image


def infer_roles(frame: pd.DataFrame, source: str, target: str | None = None, text: list[str] | None = None,
                features: list[str] | None = None) -> ColumnRoles:
    """Resolve the target and input columns of `frame` (read from `source`), inferring what is not given.

    text: the text columns (default: every free-form text column). features: the table columns to use
    (default: every numeric, categorical or binary column).
    """
    for column in ([target] if target else []) + list(text or []) + list(features or []):
        require_column(frame, column, source)
    kinds = {str(c): infer_kind(frame[c]) for c in frame.columns if c != target}
    reasons = []
    if not target:
        unlikely = {c for c, k in kinds.items() if k.kind in ("text", "identifier")}
        target, why = _infer_target(frame, source, exclude=unlikely | set(text or []))
        reasons.append(f"target column: '{target}' ({why}); pass --target to choose another")
    kinds.pop(target, None)
    if target in (text or []) or target in (features or []):
        raise DataError(f"{source}: column '{target}' cannot be both the target and an input.")
    roles = ColumnRoles(target=target, text=list(text or []), reasons=reasons)
    for column, kind in kinds.items():
        if column in roles.text:
            continue
        chosen = features is not None and column in features
        if kind.kind == "text" and text is None:
            roles.text.append(column)
            reasons.append(f"text column: '{column}' ({kind.reason}); pass --text to choose")
        elif features is not None and not chosen:
            continue
        elif kind.kind == "numeric" or (chosen and kind.kind in ("identifier", "constant") and
                                        pd.to_numeric(frame[column], errors="coerce").notna().any()):
            roles.numeric.append(column)
        elif kind.kind in ("categorical", "binary") or chosen:
            roles.categorical.append(column)
        else:
            roles.excluded[column] = f"{kind.kind}: {kind.reason}"
    _leave_out_leaks(frame, roles, features or [])
    if roles.numeric or roles.categorical:
        reasons.append(f"table features: {len(roles.numeric)} numeric ({', '.join(roles.numeric) or '-'}), "
                       f"{len(roles.categorical)} categorical ({', '.join(roles.categorical) or '-'})")
    for column, why in roles.excluded.items():
        if any(leak.column == column for leak in roles.leaks):
            continue  # said as a warning
        reasons.append(f"column '{column}' left out ({why}); name it with --feature to use it anyway")
    if not roles.inputs:
        left_out = "; ".join(f"'{c}' is {why}" for c, why in roles.excluded.items())
        raise DataError(
            f"{source}: no input column to learn from besides the target '{target}' (columns: "
            f"{', '.join(map(str, frame.columns))}{'; ' + left_out if left_out else ''}). Pass --text COLUMN or "
            "--feature COLUMN."
        )
    return roles


def _leave_out_leaks(frame: pd.DataFrame, roles: ColumnRoles, named: list[str]) -> None:
    """Find the table columns that alone give the target away; leave them out unless named with --feature."""
    roles.leaks = find_leaks(frame, roles.target, roles.numeric + roles.categorical)
    for leak in roles.leaks:
        said = f"probable leakage: {leak.describe(roles.target)}"
        if leak.column in named:
            roles.warnings.append(f"{said}. Kept because it was named with --feature: validation scores will "
                                  "overstate how the model does on new data.")
            continue
        for group in (roles.numeric, roles.categorical):
            if leak.column in group:
                group.remove(leak.column)
        roles.excluded[leak.column] = said
        roles.warnings.append(f"{said}. Left out of training; check how the column is made, and name it with "
                              f"--feature {leak.column} to keep it.")


def require_column(frame: pd.DataFrame, column: str, source: str) -> None:
    if column in frame.columns:
        return
    close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise DataError(
        f"{source}: no column named '{column}'.{hint} Columns are: {', '.join(map(str, frame.columns))}."
    )


def target_candidates(frame: pd.DataFrame, exclude) -> tuple[list, list]:
    """The columns named like a label (exact names first), and those with few distinct values; the rules by
    which `train` and `doctor` both choose a target."""
    candidates = [c for c in frame.columns if c not in exclude]
    exact = [c for c in candidates if _TARGET_NAME.match(str(c))]
    named = exact or [c for c in candidates if _TARGET_PART.search(str(c))]
    # Labels repeat: a column of mostly distinct values (measurements on a small table) is no class.
    few = [c for c in candidates if 2 <= frame[c].nunique() <= min(_MAX_CLASSES, len(frame) / 2)]
    return named, few


def _infer_target(frame: pd.DataFrame, source: str, exclude: set) -> tuple[str, str]:
    named, low = target_candidates(frame, exclude)
    if len(named) == 1:
        return named[0], "named like a label"
    if len(named) > 1:
        raise DataError(
            f"{source}: cannot tell which column is the target; several are named like one: "
            f"{', '.join(map(str, named))}. Pass --target COLUMN."
        )
    if low:
        return low[-1], last_few_reason(frame, low)
    raise DataError(
        f"{source}: found no target column (none is named like label/target/class/sentiment/y, and none "
        f"has between 2 and {_MAX_CLASSES} distinct values). Pass --target COLUMN."
    )


def last_few_reason(frame: pd.DataFrame, few: list) -> str:
    """Why the last of the columns with few distinct values is the target, and which others it could be."""
    chosen = few[-1]
    if len(few) == 1:
        return f"the only column with few distinct values ({frame[chosen].nunique()})"
    return (f"the last of the columns with few distinct values ({frame[chosen].nunique()}), as in UCI files; "
            f"the others: {', '.join(map(str, few[:-1]))}")
