"""Where a value came from (file, object, field), so each InputError is one self-explaining line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podfence.errors import InputError

__all__ = ["ObjectContext", "origin_of", "short"]


def origin_of(obj: Mapping[str, Any]) -> str:
    """The file an object was read from (set by :func:`read_objects`), or "" when unknown."""
    return str(getattr(obj, "origin", "") or "")


def short(value: Any) -> str:
    """``repr(value)`` cut to 60 characters, for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ObjectContext:
    """Names one Kubernetes object (``policies.yaml: NetworkPolicy guestbook/allow-x``).

    Args:
        kind: the object's kind, e.g. ``NetworkPolicy``.
        name: ``namespace/name`` or just ``name`` for cluster-scoped objects.
        origin: the file the object came from; "" (the default) leaves the prefix out.
    """

    __slots__ = ("label",)

    def __init__(self, kind: str, name: str, origin: str = "") -> None:
        self.label = f"{origin}: {kind} {name}" if origin else f"{kind} {name}"

    def error(self, field: str, message: str) -> InputError:
        """An InputError ``<object>: <field>: <message>`` (raise it)."""
        return InputError(f"{self.label}: {field}: {message}")

    def __repr__(self) -> str:
        return f"ObjectContext({self.label!r})"
