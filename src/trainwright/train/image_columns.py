"""The columns a table of image paths holds beside the pictures and the label (a product photo's price and
category, a scan's patient age): which of them the model reads, and which model reads them.

The columns are chosen as a table run chooses its features (data/schema.py `infer_roles`: numeric, categorical,
identifiers and leaks left out, `--feature` to choose), and resnet+mlp reads them beside the pictures. Text
columns are not read beside pictures: they are left out, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import RunConfig
from ..data import infer_roles
from ..data.kinds import infer_kind
from ..data.schema import ColumnRoles
from ..errors import ConfigError, DataError
from ..images.sources import ImageSet
from ..log import logger
from .columns import report_roles

IMAGE_TABLE_MODEL = "resnet+mlp"


@dataclass
class TableColumns:
    """The table columns beside the pictures that a model can read; empty for a folder of pictures."""

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    roles: ColumnRoles | None = None  # as infer_roles found them: reasons, leaks

    def __bool__(self) -> bool:
        return bool(self.numeric or self.categorical)

    def said(self) -> str:
        """'price (numeric), category (categorical)'."""
        return ", ".join([f"{c} (numeric)" for c in self.numeric] + [f"{c} (categorical)" for c in self.categorical])


def table_columns(images: ImageSet, label: str, config: RunConfig) -> TableColumns:
    """The usable columns of a table of image paths besides the image column and the label; told to the user."""
    if config.data.text:
        raise ConfigError(f"--text {', '.join(config.data.text)}: text columns are not read beside pictures. Leave "
                          "--text out (the pictures, and the table's numeric and categorical columns, are read).")
    if images.extra is None:
        if config.data.features:
            raise ConfigError(f"--feature {', '.join(config.data.features)}: {images.source} has no columns "
                              "besides the pictures and their labels; leave --feature out.")
        return TableColumns()
    features = list(config.data.features or []) or None
    kinds = [infer_kind(images.extra[c]) for c in images.extra.columns if c not in (features or [])]
    texts = [str(k.name) for k in kinds if k.kind == "text"]
    if texts:
        logger.warning(f"{images.source}: the text column{'s' if len(texts) > 1 else ''} "
                       f"{', '.join(map(repr, texts))} {'are' if len(texts) > 1 else 'is'} not read beside "
                       "pictures: left out.")
    try:
        roles = infer_roles(images.extra.assign(**{label: images.labels}), images.source, label, text=[],
                            features=features)
    except DataError:
        if features:  # a column named that is not there
            raise
        # no column beside the pictures is numeric or categorical: the pictures alone, and why the others are not
        unread = [k for k in kinds if k.kind != "text"]
        if unread:
            logger.info(f"{images.source}: the pictures alone; not read beside them: "
                        + "; ".join(f"'{k.name}' ({k.kind}: {k.reason})" for k in unread))
        return TableColumns()
    # the text columns were said above: not "name it with --feature", which would read a text as a category
    roles.reasons = [r for r in roles.reasons if not any(r.startswith(f"column '{t}' left out") for t in texts)]
    report_roles(roles)
    return TableColumns(list(roles.numeric), list(roles.categorical), roles)


def image_model(name: str, columns: TableColumns, source: str) -> str:
    """The image model named `name`, checked against the table columns beside the pictures, and what it reads
    said: resnet+mlp needs some; a model of pictures alone leaves them unused, which is said too."""
    if not columns:
        if name == IMAGE_TABLE_MODEL:
            raise ConfigError(f"model {IMAGE_TABLE_MODEL} reads pictures and table columns, and {source} has no "
                              "numeric or categorical column beside its pictures: use --model resnet (or auto).")
        return name
    if name == IMAGE_TABLE_MODEL:
        logger.info(f"image + {_count(columns)}: {columns.said()}; model {IMAGE_TABLE_MODEL}")
        return name
    logger.warning(f"model {name} reads the pictures alone: the table column{'s' if _many(columns) else ''} "
                   f"{columns.said()} {'are' if _many(columns) else 'is'} not used (--model auto or "
                   f"{IMAGE_TABLE_MODEL} reads both).")
    return name


def auto_image_model(columns: TableColumns) -> str:
    """auto on pictures from scratch: resnet, or resnet+mlp when the table has usable columns beside them."""
    if not columns:
        return "resnet"
    logger.info(f"image + {_count(columns)}: {columns.said()}; model {IMAGE_TABLE_MODEL} (the resnet's picture "
                f"vector and the table's, through an MLP; --model resnet for the pictures alone)")
    return IMAGE_TABLE_MODEL


def _many(columns: TableColumns) -> bool:
    return len(columns.numeric) + len(columns.categorical) > 1


def _count(columns: TableColumns) -> str:
    return f"{len(columns.numeric) + len(columns.categorical)} table column{'s' if _many(columns) else ''}"
