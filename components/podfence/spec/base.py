"""The base of every podfence spec: frozen pydantic models, camelCase aliases, no unknown keys."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

from podfence.errors import UNKNOWN_KEY, SpecError, format_validation_error
from podfence.validation import dns1123_label_problem, dns1123_subdomain_problem

__all__ = [
    "Flag",
    "Items",
    "Spec",
    "check_dns_label",
    "check_dns_subdomain",
    "check_flag",
    "check_namespaces",
    "key_error",
    "unknown_key_message",
]


def check_flag(value: Any) -> bool:
    """Require a boolean: pydantic would read ``"no"``, ``"0"`` or ``1`` as one, a quoted
    ``"false"`` too, where a YAML typo more likely meant something else."""
    if isinstance(value, bool):
        return value
    quoted = isinstance(value, str) and value.lower() in ("true", "false")
    fix = ", without quotes" if quoted else ""
    raise ValueError(f"{value!r} is not a boolean: write true or false{fix}")


#: A boolean field that takes a boolean and nothing else.
Flag = Annotated[bool, BeforeValidator(check_flag)]


T = TypeVar("T")


class _StoredAsTuple:
    """Validate a ``Sequence[X]`` field exactly as ``tuple[X, ...]``: what it accepts, its
    errors and its JSON schema are the tuple's, and the value kept is a tuple."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        (item,) = get_args(source)
        return handler(tuple[item, ...])  # type: ignore[valid-type]


#: A field of several values: a type checker sees ``Sequence[T]``, so ``ports=[Port.tcp(80)]``
#: type-checks as a user writes it (list literals, tuples), with or without pydantic's mypy
#: plugin; the spec keeps a tuple, so it stays frozen and hashable.
Items = Annotated[Sequence[T], _StoredAsTuple()]


def _config_key(name: str, info: FieldInfo) -> str:
    """How config spells field ``name``: its validation alias (``from`` for ``from_``), else its
    camelCase alias."""
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return info.alias or name


def _folded(key: str) -> str:
    """A key without case and separators: ``pod_labels``, ``podLabels`` and ``PodLabels`` alike."""
    return key.replace("_", "").replace("-", "").lower()


def unknown_key_message(key: str, known: list[tuple[str, str]]) -> str:
    """What to say of ``key``, which is none of ``known`` (pairs of config and Python spelling).

    The nearest known key, spelt the way ``key`` is (snake_case when it has an underscore); the
    known keys when none is near.
    """
    by_folded = {_folded(alias): (alias, name) for alias, name in known}
    near = difflib.get_close_matches(_folded(key), list(by_folded), n=1, cutoff=0.6)
    if near:
        alias, name = by_folded[near[0]]
        return f"unknown key; did you mean {name if '_' in key else alias}?"
    if not known:
        return "unknown key: this takes no keys"
    return f"unknown key (known keys: {', '.join(alias for alias, _ in known)})"


def key_error(model: str, key: str, value: Any, message: str) -> ValidationError:
    """A validation error of config key ``key`` (which may be no field, such as a shorthand),
    raised from a model validator so that its location names the key."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=error, loc=(key,), input=value)]
    )


class Spec(BaseModel):
    """A frozen, validated value. Fields read by their Python name or their camelCase alias.

    Unknown keys are an error, reported before anything else with the nearest known key (a
    misspelt ``podSelecter`` must not be silently ignored, nor hidden behind the ``podSelector:
    Field required`` it causes). Constructing a spec (``Port(port=0)``) raises
    :class:`~podfence.errors.SpecError` in one line, prefixed with the class's name;
    ``model_validate`` still raises pydantic's ``ValidationError``.

    Typing: type checkers read a spec's constructor from its fields (pydantic models are
    ``dataclass_transform``-ed), keyword by field name, so the fields are declared as users
    write them: ``Items[...]`` for several values, and a config key that is a Python keyword
    (``from``, ``except``) as ``validation_alias`` and ``serialization_alias``, never ``alias``,
    which a type checker would make the keyword (``Flow(from=...)`` cannot be written; the
    field's name ``from_`` can).
    """

    #: Config keys that are no field but a spec expands into fields before validation (each
    #: named where it is expanded); listed so a misspelt one is suggested.
    config_shorthands: ClassVar[tuple[str, ...]] = ()

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise SpecError(format_validation_error(error, type(self).__name__)) from error

    # The same as BaseModel's own __init__ to pydantic: nested specs are validated without it,
    # so their errors keep their location in the whole.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, value: Any) -> Any:
        """Refuse keys that are no field, naming each with the nearest field."""
        if not isinstance(value, dict):
            return value
        known: list[tuple[str, str]] = []
        fields: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            alias = _config_key(name, info)
            known.append((alias, name))
            fields[name] = fields[alias] = name
        known += [(key, key) for key in cls.config_shorthands]
        problems: list[InitErrorDetails] = []
        seen: dict[str, str] = {}
        for key, item in value.items():
            text = str(key)
            field = fields.get(text) if isinstance(key, str) else None
            if field is None:
                message = unknown_key_message(text, known)
            elif field in seen:
                message = f"{seen[field]} and {text} are the same key; keep one"
            else:
                seen[field] = text
                continue
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(UNKNOWN_KEY, "{message}", {"message": message}),
                    loc=(text,),
                    input=item,
                )
            )
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return value

    @classmethod
    def parse(cls, value: Any, root: str = "") -> Self:
        """Validate ``value`` (an instance or a plain dict) into this spec.

        Raises:
            SpecError: one line naming the field (prefixed with ``root``) and the bad value.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise SpecError(format_validation_error(error, root)) from error


def check_dns_label(value: str, what: str) -> str:
    """Require an RFC 1123 label (lower case alphanumerics and '-', at most 63 characters)."""
    problem = dns1123_label_problem(value)
    if problem is not None:
        hint = value.lower().replace("_", "-").strip("-")[:63]
        fixed = hint and dns1123_label_problem(hint) is None
        suggestion = f'; did you mean "{hint}"?' if fixed else ""
        raise ValueError(f"{what} {value!r} is not a valid name: {problem}{suggestion}")
    return value


def check_dns_subdomain(value: str, what: str) -> str:
    """Require an RFC 1123 subdomain (what Kubernetes requires of object names, at most 253)."""
    problem = dns1123_subdomain_problem(value)
    if problem is not None:
        raise ValueError(f"{what} {value!r} is not a valid Kubernetes name: {problem}")
    return value


def check_namespaces(names: tuple[str, ...], field: str) -> tuple[str, ...]:
    """Require namespace names (RFC 1123 labels), each once; ``field`` (``namespaces``,
    ``excludeNamespaces``) names the list when one is repeated."""
    for name in names:
        check_dns_label(name, "namespace")
    if len(set(names)) != len(names):
        raise ValueError(f"{field} {list(names)!r} lists a namespace twice")
    return names
