"""Run a Pulumi program in-process under mocks and record what it would create.

The mocks see each resource's inputs in the provider's wire form (camelCase, with apiVersion and
kind); that is what is recorded, so what `render` prints is what `pulumi up` sends. The run uses
``preview=False`` so every output resolves, a fresh event loop, and leaves Pulumi's global state
reset afterwards so runs can follow one another in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import runpy
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func

from podfence.errors import ConfigError, PodfenceError

__all__ = ["RecordedResource", "record_program"]


@dataclass(frozen=True)
class RecordedResource:
    """One resource the program registered.

    Attributes:
        type: the Pulumi type token, e.g. ``kubernetes:networking.k8s.io/v1:NetworkPolicy``.
        name: the Pulumi resource name.
        urn: the URN, whose type part carries the parent chain.
        inputs: the inputs as the provider would receive them (custom resources only).
        custom: False for component resources.
    """

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    custom: bool


def _integral(value: Any) -> Any:
    """Mocks carry numbers as floats (protobuf Struct); Kubernetes integers are integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


class _Recorder(pulumi.runtime.Mocks):
    """Answers every resource with its own inputs as state, and notes which are custom."""

    def __init__(self) -> None:
        self.custom: dict[tuple[str, str], bool] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.custom[(args.typ, args.name)] = bool(args.custom)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@contextlib.contextmanager
def _program_context(directory: Path) -> Iterator[None]:
    """The program's cwd and import path, as `pulumi up` gives them; restored afterwards."""
    saved_path = list(sys.path)
    sys.path.insert(0, str(directory))
    try:
        with contextlib.chdir(directory):
            yield
    finally:
        sys.path[:] = saved_path


def record_program(
    program: Path, project: str, stack: str, config: dict[str, str]
) -> list[RecordedResource]:
    """Run ``program`` as stack ``stack`` of ``project`` with ``config`` and record its resources.

    Args:
        program: the program's __main__.py.
        project: the project name (config keys are ``project:key``).
        stack: the stack name, as ``pulumi.get_stack()`` will report it.
        config: fully qualified config keys -> string values (objects as JSON).

    Returns:
        Every registered resource, in registration order (the stack itself left out).

    Raises:
        PodfenceError: raised by the program (bad config) is passed on; ``pulumi.RunError``
            becomes a ConfigError with its message.
    """
    recorder = _Recorder()
    monitor = MockMonitor(recorder)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.set_mocks(recorder, project=project, stack=stack, preview=False, monitor=monitor)
        pulumi.runtime.set_all_config(config)
        with _program_context(program.parent):
            loop.run_until_complete(
                run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__"))
            )
    except pulumi.RunError as error:
        raise ConfigError(str(error)) from error
    except PodfenceError:
        raise
    finally:
        pulumi.runtime.set_all_config({})
        pulumi.runtime.reset_options()
        asyncio.set_event_loop(None)
        loop.close()
    out: list[RecordedResource] = []
    for urn, registration in monitor.get_registered_resources().items():
        type_ = urn.split("::")[2].rsplit("$", 1)[-1]
        name = urn.split("::")[3]
        if type_ == "pulumi:pulumi:Stack":
            continue
        custom = recorder.custom.get((type_, name), False)
        inputs = _integral(dict(registration.state)) if custom else {}
        out.append(RecordedResource(type=type_, name=name, urn=urn, inputs=inputs, custom=custom))
    return out
