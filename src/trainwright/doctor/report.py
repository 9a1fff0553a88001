"""What the doctor found: one profile per column, a list of findings, and a summary; as Python objects or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import rows_preview

SEVERITIES = ("blocking", "warning", "info")  # blocking: the table cannot train as it is
JSON_ROW_LIMIT = 1000  # row numbers written per finding in JSON; `count` always has the total


@dataclass
class Finding:
    """One problem (or fact worth knowing): what, where, how many, and the trainwright setting that fixes it."""

    check: str  # stable name, e.g. "disguised_missing", "duplicate_rows", "leakage"
    severity: str  # one of SEVERITIES
    message: str
    fix: str
    columns: list[str] = field(default_factory=list)
    count: int = 0
    rows: list[int] = field(default_factory=list)  # every affected row, counting data rows from 1
    details: dict[str, Any] = field(default_factory=dict)  # numbers behind the message: bounds, lengths, ...

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rows"] = self.rows[:JSON_ROW_LIMIT]
        return data


@dataclass
class ColumnProfile:
    name: str
    kind: str  # see trainwright.data.kinds.KINDS
    reason: str
    missing: int  # empty cells and disguised ones (`?`, `NA`, impossible zeros, ...)
    distinct: int  # distinct values among the present ones


@dataclass
class DoctorReport:
    file: str
    rows: int
    columns: list[ColumnProfile]
    findings: list[Finding]
    target: str | None = None
    target_reason: str = ""
    classes: dict[str, int] | None = None  # label -> rows, for a classification target
    test: dict[str, Any] | None = None  # {"file", "rows"} when a test file was checked
    outlier_method: str = "iqr"

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "blocking"]

    @property
    def leakage(self) -> list[Finding]:
        return [f for f in self.findings if f.check in ("leakage", "target_leak")]

    def by_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def summary(self) -> dict[str, Any]:
        missing = sum(c.missing for c in self.columns)
        cells = self.rows * len(self.columns)
        return {
            "rows": self.rows, "columns": len(self.columns),
            "target": self.target, "target_reason": self.target_reason,
            "blocking": len(self.blocking), "warnings": len(self.by_severity("warning")),
            "info": len(self.by_severity("info")),
            "missing_cells": missing, "missing_share": round(missing / cells, 4) if cells else 0.0,
            "classes": self.classes, "test": self.test, "outlier_method": self.outlier_method,
            "leakage_rows": sum(f.count for f in self.leakage),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rows": self.rows,
            "columns": [asdict(c) for c in self.columns],
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def where(rows: list[int]) -> str:
    """' (rows 3, 17, 40 and 12 more)' for a message; empty when there are no rows."""
    return f" ({rows_preview(rows)})" if rows else ""


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """'1 row', '3 rows', '2 boxes'."""
    return f"{count:,} {noun if count == 1 else (plural_noun or noun + 's')}"
