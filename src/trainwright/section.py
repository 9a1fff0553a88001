"""The base of every configuration section: pydantic, unknown keys rejected, values checked when assigned.

A module of its own so that the sections of other packages (cleaning) and the run configuration that composes
them can both import it, in any order.

A run resolves its configuration once (train/resolve.py) and freezes it: from then on every stage reads the
same settings, and the saved model's config.json is what it was trained with. Assigning to a frozen section
raises; `RunConfig.derive` makes a changed copy instead.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


class FrozenConfigError(TypeError):
    """An assignment to a section of a resolved (frozen) run configuration."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    _frozen: bool = PrivateAttr(default=False)

    def __setattr__(self, key: str, value: Any) -> None:
        self._check_mutable(key)
        super().__setattr__(key, value)

    def _check_mutable(self, key: str) -> None:
        private = self.__pydantic_private__ or {}
        if private.get("_frozen") and not key.startswith("_"):
            raise FrozenConfigError(
                f"Cannot set {type(self).__name__}.{key}: the run's configuration is resolved and frozen, so every "
                "stage reads the settings the model is saved with. Derive a changed copy instead "
                "(config.derive({section: {key: value}})), or change the configuration before training.")

    def _set_frozen(self, frozen: bool) -> None:
        """Flag this section and every section nested in it (in place)."""
        self._frozen = frozen
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Section):
                value._set_frozen(frozen)

    @property
    def is_frozen(self) -> bool:
        return bool((self.__pydantic_private__ or {}).get("_frozen"))
