"""The exceptions trainwright raises for a user's mistake.

Each carries a message that says what happened, where (file, column, row or key) and what to do. The CLI turns
any of them into that message and a non-zero exit code, never a traceback.
"""


class TrainwrightError(Exception):
    """Base class: a problem the user can fix. `exit_code` is what the CLI exits with."""

    exit_code = 1


class DataError(TrainwrightError):
    """The input table cannot be used as it is (unreadable, empty, missing column, bad labels, ...)."""

    exit_code = 2


class ConfigError(TrainwrightError):
    """A config file or flag has an unknown key or a bad value."""

    exit_code = 3


class ArtifactError(TrainwrightError):
    """A saved model directory is missing, incomplete or from an incompatible version."""

    exit_code = 4


class NotFittedError(TrainwrightError):
    """A fitted stage was used before `fit`."""


def rows_preview(rows, limit: int = 5, total: int | None = None) -> str:
    """'rows 3, 17, 40 and 12 more' for a list of 1-based row numbers; `total` when `rows` are only the first."""
    rows = list(rows)
    total = len(rows) if total is None else total
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {total - min(limit, len(rows))} more" if total > limit else ""
    return f"row{'s' if total > 1 else ''} {shown}{more}"
