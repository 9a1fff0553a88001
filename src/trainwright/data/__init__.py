"""Reading tables, inferring their columns, and preparing labeled examples."""

from .readers import read_table
from .schema import ColumnRoles, infer_roles

__all__ = ["ColumnRoles", "infer_roles", "read_table"]
