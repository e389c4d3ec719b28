"""Constructing a podfence component the way the Pulumi engine asks the provider to: inputs
through a protobuf Struct (every number a double), then ``construct``, under mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf import struct_pb2
from podfence.offline.recorder import RecordedResource, record
from podfence.provider import analyze
from pulumi.runtime import rpc

__all__ = ["construct", "wire"]


def wire(inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` as the provider receives them from the engine (numbers become doubles)."""
    struct = struct_pb2.Struct()
    struct.update(inputs)
    received: dict[str, Any] = rpc.deserialize_properties(struct, keep_unknowns=True)
    return received


def construct(
    component: str,
    inputs: dict[str, Any],
    name: str = "fw",
    project: str = "p",
    stack: str = "test",
    more: Callable[[], dict[str, Any]] | None = None,
    registered: list[str] | None = None,
) -> list[RecordedResource]:
    """Record what the provider registers for ``podfence:index:<component>`` with ``inputs``.

    Args:
        more: inputs made while the program runs (outputs of other resources), added last.
        registered: receives every URN registered, even when constructing fails.
    """
    provider = analyze()
    received = wire(inputs)

    def program() -> None:
        extra = more() if more is not None else {}
        provider.construct(name, f"podfence:index:{component}", {**received, **extra}, None)

    return record(program, project, stack, registered=registered)
