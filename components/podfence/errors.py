"""The errors podfence raises: one base class, one line each, naming the field and the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "UNKNOWN_KEY",
    "ConfigError",
    "InputError",
    "PodfenceError",
    "SpecError",
    "format_validation_error",
]


class PodfenceError(ValueError):
    """Base of every error podfence raises on bad input; its message is one line.

    A line break that a bad value carries into the message (a tier named ``"a\\nb"``) is
    written as ``\\n``, so the message stays one line whatever the input.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        text = str(message).replace("\r", "\\r").replace("\n", "\\n")
        super().__init__(text, *args)


class SpecError(PodfenceError):
    """A spec (port, peer, tier, flow, ip block ...) is invalid."""


class ConfigError(PodfenceError):
    """A stack's configuration, or a file podfence was asked to read, is invalid."""


class InputError(PodfenceError):
    """A Kubernetes object handed to the analysis (policy, namespace, pod) is malformed."""


#: The error type of a key a spec does not know (see :class:`podfence.spec.base.Spec`).
UNKNOWN_KEY = "unknown_key"

# What pydantic puts in an error's location for a branch of a union rather than a field: the
# branch's type ("int", "str") or validator ("function-after[...]", "tagged-union[...]").
_BRANCH_TAGS = {"int", "str", "float", "bool", "bytes", "none", "dict", "list", "tuple", "set"}


def _location(loc: tuple[int | str, ...], root: str) -> str:
    out = root
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _BRANCH_TAGS or "[" in part:
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def format_validation_error(error: ValidationError, root: str = "") -> str:
    """Render a pydantic ValidationError as one line: ``field: message (got VALUE)``.

    Only the first error is reported (the rest usually follow from it), an unknown key before
    any other; the count of others is appended so nothing is hidden.
    """
    errors = error.errors(include_url=False)
    if not errors:  # pragma: no cover - pydantic always reports at least one
        return str(error)
    # A misspelt key is reported first: the errors that follow from it (the field it should
    # have set is "required") would hide it.
    first = next((e for e in errors if e["type"] == UNKNOWN_KEY), errors[0])
    message = str(first["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    where = _location(tuple(first["loc"]), root)
    line = f"{where}: {message}"
    if first["type"] not in ("value_error", "missing", UNKNOWN_KEY) and "input" in first:
        line += f" (got {_short(first['input'])})"
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return line
