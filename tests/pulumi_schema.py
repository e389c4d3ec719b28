"""What a Pulumi package schema says of a value: the keys a program may write and their types,
the way a typed SDK or Pulumi YAML's checker reads them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["input_problems"]

_SIMPLE: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def _object_problems(
    value: Any,
    properties: dict[str, Any],
    required: list[str],
    schema: dict[str, Any],
    path: str,
    types: bool,
) -> Iterator[str]:
    if not isinstance(value, dict):
        if types:
            yield f"{path}: {value!r} is not an object"
        return
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key not in properties:
            yield f"{where}: no such property (known: {', '.join(properties)})"
        else:
            yield from _problems(item, properties[key], schema, where, types)
    for key in required:
        if key not in value:
            yield f"{path}.{key}: required" if path else f"{key}: required"


def _ref_problems(
    value: Any, ref: str, schema: dict[str, Any], path: str, types: bool
) -> Iterator[str]:
    if ref == "pulumi.json#/Any":
        return
    declared = schema["types"][ref.removeprefix("#/types/")]
    if "enum" in declared:
        allowed = [e["value"] for e in declared["enum"]]
        if types and value not in allowed:
            yield f"{path}: {value!r} is not one of {allowed}"
        return
    yield from _object_problems(
        value, declared["properties"], declared.get("required", []), schema, path, types
    )


def _problems(
    value: Any, prop: dict[str, Any], schema: dict[str, Any], path: str, types: bool
) -> Iterator[str]:
    kind = prop.get("type")
    if "$ref" in prop:
        yield from _ref_problems(value, prop["$ref"], schema, path, types)
    elif kind in ("array", "object"):
        container = list if kind == "array" else dict
        if not isinstance(value, container):
            if types:
                yield f"{path}: {value!r} is not {'a list' if kind == 'array' else 'an object'}"
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _problems(item, prop["items"], schema, f"{path}[{index}]", types)
        else:
            for key, item in value.items():
                yield from _problems(
                    item, prop["additionalProperties"], schema, f"{path}.{key}", types
                )
    elif types and (
        not isinstance(value, _SIMPLE[kind]) or (kind != "boolean" and isinstance(value, bool))
    ):
        yield f"{path}: {value!r} is not of type {kind}"


def input_problems(
    properties: dict[str, Any], token: str, schema: dict[str, Any], types: bool = True
) -> list[str]:
    """Why ``properties`` are not valid inputs of resource ``token`` in ``schema`` (none: valid).

    Args:
        properties: the inputs, as a program writes them (camelCase).
        token: the resource's type token, e.g. ``podfence:index:Firewall``.
        schema: the package schema (parsed JSON).
        types: check the values' types too; False checks only the keys of the objects written
            as objects (names and required), as for a stack file's shorthand (``ports: [80]``).
    """
    resource = schema["resources"][token]
    return list(
        _object_problems(
            properties,
            resource["inputProperties"],
            resource.get("requiredInputs", []),
            schema,
            "",
            types,
        )
    )
