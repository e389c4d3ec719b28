"""Whether a TypedDict of podfence.provider mirrors a pydantic spec: keys, required keys, the
names the schema gives them, the shape of each value, and nested types, recursively. A spec's
``Literal`` of strings is mirrored by an enum of exactly those values (the schema has no
literals).

A spec's config shorthands (keys that are no field, expanded before validation) are mirrored only
when :data:`SHORTHANDS` lists them, with the fields they may stand in for: one exception each,
named, never a pass for keys the spec does not know."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, ForwardRef, Literal, NotRequired, Required, get_args, get_origin

import pulumi
from podfence.internet import PUBLIC_INTERNET
from podfence.spec.base import Spec
from podfence.spec.ip_block_allow import IpBlockAllowSpec
from pulumi.provider.experimental.util import camel_case
from pydantic.fields import FieldInfo

__all__ = ["SHORTHANDS", "Shorthand", "mirror_problems"]


@dataclass(frozen=True)
class Shorthand:
    """A config key that is no field of its spec, as a schema offers it.

    Attributes:
        key: the key (``to``); the TypedDict has it, optional, as an enum of exactly ``values``.
        values: what the spec's expansion accepts.
        replaces: the spec's required fields the shorthand can stand in for, and so optional in
            the TypedDict (the spec requires one or the other).
    """

    key: str
    values: frozenset[str]
    replaces: frozenset[str]


#: Spec -> its config shorthands. ``to: public-internet`` expands into ``direction: Egress`` and
#: ``ipBlocks`` (IpBlockAllowSpec._to_public_internet), so ``ip_blocks`` is optional beside it.
SHORTHANDS: dict[type[Spec], tuple[Shorthand, ...]] = {
    IpBlockAllowSpec: (Shorthand("to", frozenset({PUBLIC_INTERNET}), frozenset({"ip_blocks"})),),
}


def _strip_input(annotation: Any) -> Any:
    """``pulumi.Input[T]`` (Union[T, Awaitable[T], Output[T]]) -> T; anything else unchanged."""
    if get_origin(annotation) is typing.Union:
        plain = [
            a
            for a in get_args(annotation)
            if get_origin(a) not in (Awaitable, pulumi.Output)
            and not isinstance(a, ForwardRef)
            and a is not type(None)
        ]
        if len(plain) == 1 and len(plain) < len(get_args(annotation)):
            return plain[0]
    return annotation


def _shape(annotation: Any) -> str:
    """``list``, ``map`` or ``value``: what a config file writes for the field."""
    annotation = _strip_input(annotation)
    if get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin in (tuple, list, Sequence):
        return "list"
    if origin in (dict, Mapping):
        return "map"
    if origin in (typing.Union, typing.get_origin(int | None)):
        kinds = {_shape(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else f"one of {sorted(kinds)}"
    return "value"


def _named_types(annotation: Any) -> Iterator[type]:
    """The TypedDicts, specs and enums an annotation holds, however nested."""
    if isinstance(annotation, type) and (
        typing.is_typeddict(annotation) or issubclass(annotation, Spec | Enum)
    ):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _named_types(arg)


def _literal_values(annotation: Any) -> set[Any] | None:
    """The values of a ``Literal`` (``X | None`` unwrapped); None for any other annotation."""
    if get_origin(annotation) in (typing.Union, typing.get_origin(int | None)):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        annotation = kept[0] if len(kept) == 1 else annotation
    return set(get_args(annotation)) if get_origin(annotation) is Literal else None


def _enum_problems(where: str, key: str, hint: Any, values: set[Any]) -> Iterator[str]:
    """Whether ``hint`` is an enum of exactly the spec's literal ``values``."""
    plain = _strip_input(hint)
    if not (isinstance(plain, type) and issubclass(plain, Enum)):
        yield f"{where}.{key}: {plain} here, one of {sorted(values)} in the spec: write an enum"
    elif {member.value for member in plain} != values:
        ours = sorted(member.value for member in plain)
        yield f"{where}.{key}: {plain.__name__} has {ours}, the spec {sorted(values)}"


def _hints(typed: type) -> dict[str, Any]:
    """A TypedDict's annotations as written, NotRequired and Required unwrapped (not evaluated:
    pulumi.Input holds a forward reference to Output)."""
    return {
        key: get_args(hint)[0] if get_origin(hint) in (NotRequired, Required) else hint
        for key, hint in inspect.get_annotations(typed).items()
    }


def _field_problems(
    where: str,
    key: str,
    hint: Any,
    field: FieldInfo,
    filled: Mapping[type, set[str]],
    seen: set[tuple[type, type]],
) -> Iterator[str]:
    written = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    if camel_case(key) != written:
        yield f"{where}.{key}: the schema names it {camel_case(key)}, config writes {written}"
    if _shape(hint) != _shape(field.annotation):
        yield f"{where}.{key}: a {_shape(hint)} here, a {_shape(field.annotation)} in the spec"
    values = _literal_values(field.annotation)
    if values is not None:
        yield from _enum_problems(where, key, hint, values)
        return
    ours, theirs = list(_named_types(hint)), list(_named_types(field.annotation))
    if len(ours) != len(theirs):
        yield f"{where}.{key}: holds {ours} here, {theirs} in the spec"
        return
    for typed, spec in zip(ours, theirs, strict=True):
        if issubclass(spec, Enum) or not typing.is_typeddict(typed):
            if typed is not spec:
                yield f"{where}.{key}: {typed} here, {spec} in the spec"
        else:
            yield from _problems(typed, spec, filled, seen)


def _problems(
    typed: type, spec: type[Spec], filled: Mapping[type, set[str]], seen: set[tuple[type, type]]
) -> Iterator[str]:
    if (typed, spec) in seen:
        return
    seen.add((typed, spec))
    where = f"{typed.__name__} ({spec.__name__})"
    fields = spec.model_fields
    hints = _hints(typed)
    keys = set(hints)
    shorthands = SHORTHANDS.get(spec, ())
    listed = {shorthand.key for shorthand in shorthands}
    if listed != set(spec.config_shorthands):
        yield f"{where}: the spec's shorthands {sorted(spec.config_shorthands)}, {sorted(listed)} listed"
    known = set(fields) | listed
    if keys != known:
        yield f"{where}: keys {sorted(keys - known)} only here, {sorted(known - keys)} only in the spec"
    required = {name for name, field in fields.items() if field.is_required()}
    replaced = {name for shorthand in shorthands for name in shorthand.replaces}
    expected = required - filled.get(typed, set()) - replaced
    got: frozenset[str] = typed.__required_keys__  # type: ignore[attr-defined]
    if set(got) != expected:
        yield f"{where}: required {sorted(got)} here, {sorted(expected)} expected"
    for shorthand in shorthands:
        if shorthand.key in hints:
            yield from _enum_problems(
                where, shorthand.key, hints[shorthand.key], set(shorthand.values)
            )
    for key in sorted(keys & set(fields)):
        yield from _field_problems(where, key, hints[key], fields[key], filled, seen)


def mirror_problems(
    typed: type, spec: type[Spec], filled: Mapping[type, set[str]] | None = None
) -> list[str]:
    """How ``typed`` (and every TypedDict it holds) differs from ``spec`` (and its specs).

    Args:
        typed: the TypedDict.
        spec: the spec it mirrors.
        filled: TypedDict -> keys that are optional there though the spec requires them,
            because the enclosing spec fills them in (a firewall's allow entries' namespaces).
    """
    return list(_problems(typed, spec, filled or {}, set()))
