"""Nested values in JSON and Parquet tables, laid flat.

A JSON record may hold an object ({"meta": {"stars": 5}}) or a list ({"tags": ["home", "tea"]}); Parquet holds
the same as structs and arrays. As cells they are unhashable and no model input, so an object's fields become
columns of their own (`meta.stars`) and a list becomes its items joined by ";", the multilabel separator.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..log import logger


def flat(frame: pd.DataFrame, source: str, told: set | None = None) -> pd.DataFrame:
    """A JSON or Parquet table with its nested values laid flat: an object's fields become columns named
    `parent.field`, and a list becomes its items joined by ";" (a multilabel cell). Said once (`told`: already
    said)."""
    nested = [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])
              and frame[c].map(lambda v: isinstance(v, (dict, list, np.ndarray))).any()]
    if not nested:
        return frame
    records = pd.json_normalize(frame.to_dict("records"), sep=".")
    records.index = frame.index
    # a parent that was null in some row leaves an empty column of its name beside its fields
    records = records.drop(columns=[c for c in nested if c in records.columns and records[c].isna().all()])
    lists = [c for c in records.columns if pd.api.types.is_object_dtype(records[c])
             and records[c].map(lambda v: isinstance(v, (list, np.ndarray))).any()]
    for column in lists:
        records[column] = records[column].map(_joined)
    if told is None or "nested" not in told:
        spread = [c for c in records.columns if c not in frame.columns]
        logger.info(f"{source}: nested values laid flat: {', '.join(spread[:8])}{' ...' if len(spread) > 8 else ''}"
                    + (f"; lists joined by ';' ({', '.join(lists[:8])})" if lists else ""))
        if told is not None:
            told.add("nested")
    return records


def _joined(value):
    """A JSON list (Parquet's: an array) as one cell: its items joined by ";" (objects inside it as JSON text)."""
    if not isinstance(value, (list, np.ndarray)):
        return value
    if not len(value):
        return None  # an empty list: nothing there
    return ";".join(json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else str(item)
                    for item in value)
