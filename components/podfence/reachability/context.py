"""Where a value came from (file, object, field), so each InputError is one self-explaining line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from podfence.errors import InputError

__all__ = ["SHORT", "ObjectContext", "origin_of", "short", "short_key"]

#: The most characters of a value an error message shows.
SHORT = 60


def origin_of(obj: Mapping[str, Any]) -> str:
    """The file an object was read from (set by :func:`read_objects`), or "" when unknown."""
    return str(getattr(obj, "origin", "") or "")


class _Full(Exception):
    """The text being built is already longer than it may be."""


def _pieces(value: Any, out: list[str], room: list[int], path: set[int]) -> None:
    """Append ``repr(value)`` to ``out`` piece by piece until ``room`` is used up.

    Containers are walked (never repr'd whole): a value built by YAML aliases may stand for
    billions of nodes while its first 60 characters take a few dozen steps.
    """
    if isinstance(value, dict | list | tuple):
        if id(value) in path:  # a value that contains itself, as repr writes it
            _put("{...}" if isinstance(value, dict) else "[...]", out, room)
            return
        path.add(id(value))
        if isinstance(value, dict):
            opening, closing = "{", "}"
        elif isinstance(value, list):
            opening, closing = "[", "]"
        else:
            opening, closing = "(", ")"
        _put(opening, out, room)
        items = value.items() if isinstance(value, dict) else value
        for number, item in enumerate(items):
            if number:
                _put(", ", out, room)
            if isinstance(value, dict):
                _pieces(item[0], out, room, path)
                _put(": ", out, room)
                _pieces(item[1], out, room, path)
            else:
                _pieces(item, out, room, path)
        if isinstance(value, tuple) and len(value) == 1:
            _put(",", out, room)
        _put(closing, out, room)
        path.discard(id(value))
        return
    if isinstance(value, str | bytes) and len(value) > room[0]:
        text = repr(value[: room[0] + 1])  # enough to overflow; never the whole of a huge one
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        text = f"<an integer of {value.bit_length()} bits>"
    else:
        text = repr(value)
    _put(text, out, room)


def _put(text: str, out: list[str], room: list[int]) -> None:
    out.append(text)
    room[0] -= len(text)
    if room[0] < 0:
        raise _Full


def short(value: Any) -> str:
    """``repr(value)`` cut to 60 characters, for error messages.

    Only as much of the value is looked at as the 60 characters need, so that a huge value (a
    long string, a list that YAML aliases repeat a billion times, a list that contains itself)
    costs no more than a small one.
    """
    out: list[str] = []
    try:
        _pieces(value, out, [SHORT], set())
    except _Full:
        return "".join(out)[: SHORT - 3] + "..."
    return "".join(out)


def short_key(key: str) -> str:
    """A key as it may stand in a field path (``metadata.labels.app``): cut like :func:`short`."""
    return key if len(key) <= SHORT else key[: SHORT - 3] + "..."


class ObjectContext:
    """Names one Kubernetes object (``policies.yaml: NetworkPolicy guestbook/allow-x``).

    Args:
        kind: the object's kind, e.g. ``NetworkPolicy``.
        name: ``namespace/name`` or just ``name`` for cluster-scoped objects.
        origin: the file the object came from; "" (the default) leaves the prefix out.
    """

    __slots__ = ("kind", "name", "origin")

    def __init__(self, kind: str, name: str, origin: str = "") -> None:
        self.kind = kind
        self.name = name
        self.origin = origin

    @property
    def label(self) -> str:
        """``<file>: <Kind> <name>``, how errors begin (built only when one is raised; each
        part of a ``namespace/name`` cut like :func:`short_key`, as it may be what is wrong)."""
        name = "/".join(short_key(part) for part in self.name.split("/", 1))
        return f"{self.origin}: {self.kind} {name}" if self.origin else f"{self.kind} {name}"

    def error(self, field: str, message: str) -> InputError:
        """An InputError ``<object>: <field>: <message>`` (raise it)."""
        return InputError(f"{self.label}: {field}: {message}")

    def invalid(self, field: str, value: Any, problem: str, what: str = "") -> InputError:
        """An InputError ``<object>: <field>: [<what> ]<value>: <problem>`` (raise it).

        For a value the API server refuses, ``problem`` from
        :mod:`podfence.validation`.
        """
        head = f"{what} {short(value)}" if what else short(value)
        return self.error(field, f"{head}: {problem}")

    def unknown(self, field: str, keys: Iterable[Any], expected: str) -> InputError:
        """An InputError for the first (in sorted order) of ``keys`` that ``field`` does not
        have: ``<field>.<key>: unknown field (expected <expected>)`` (raise it)."""
        first = sorted(map(str, keys))[0]
        return self.error(f"{field}.{short_key(first)}", f"unknown field (expected {expected})")

    def mapping(self, value: Any, field: str, what: str = "a map") -> dict[str, Any]:
        """``value`` where the API expects an object: a dict, or ``{}`` for null (absent).

        Raises:
            InputError: anything else, ``[]`` and ``''`` included (the API server cannot decode
                them into an object).
        """
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(field, f"expected {what}, got {short(value)}")
        return value

    def sequence(self, value: Any, field: str, what: str = "a list") -> list[Any]:
        """``value`` where the API expects a list: a list, or ``[]`` for null (absent).

        Raises:
            InputError: anything else, ``{}`` and ``''`` included (the API server cannot decode
                them into a list).
        """
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(field, f"expected {what}, got {short(value)}")
        return value

    def __repr__(self) -> str:
        return f"ObjectContext({self.label!r})"
