"""The base of every configuration section: pydantic, unknown keys rejected, values checked when assigned.

A module of its own so that the sections of other packages (cleaning) and the run configuration that composes
them can both import it, in any order.
"""

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
