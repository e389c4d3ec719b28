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
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func

from podfence.errors import ConfigError
from podfence.manifests.wire import integral

__all__ = ["RecordedResource", "mocked", "record", "record_program"]


@dataclass(frozen=True)
class RecordedResource:
    """One resource the program registered.

    Attributes:
        type: the Pulumi type token, e.g. ``kubernetes:networking.k8s.io/v1:NetworkPolicy``.
        name: the Pulumi resource name.
        urn: the URN, whose type part carries the parent chain.
        inputs: the inputs as the provider would receive them (custom resources only).
        custom: False for component resources.
        provider: the provider reference the resource was registered with ("" for the default).
        dependencies: the URNs of the resources it ``depends_on`` (explicitly or through its
            inputs), as the engine would order them.
    """

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    custom: bool
    provider: str = ""
    dependencies: tuple[str, ...] = ()


class _Recorder(pulumi.runtime.Mocks):
    """Answers every resource with its own inputs as state, and notes which are custom."""

    def __init__(self) -> None:
        self.custom: dict[tuple[str, str], bool] = {}
        self.provider: dict[tuple[str, str], str] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.custom[(args.typ, args.name)] = bool(args.custom)
        self.provider[(args.typ, args.name)] = args.provider or ""
        return f"{args.name}-id", dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _Monitor(MockMonitor):
    """The mock monitor, remembering each registration's dependencies, in registration order."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.dependencies: dict[str, tuple[str, ...]] = {}
        self.order: list[str] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        self.dependencies[response.urn] = tuple(request.dependencies)
        self.order.append(response.urn)
        return response


def _discard(_: object) -> None:
    """A program's return value means nothing to Pulumi: drop it (run_pulumi_func awaits it)."""


def _thread_loop(loops: list[asyncio.AbstractEventLoop]) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loops.append(loop)


@contextlib.contextmanager
def _program_context(directory: Path | None) -> Iterator[None]:
    """The program's cwd and import path, as `pulumi up` gives them; restored afterwards."""
    if directory is None:
        yield
        return
    saved_path = list(sys.path)
    sys.path.insert(0, str(directory))
    try:
        with contextlib.chdir(directory):
            yield
    finally:
        sys.path[:] = saved_path


@contextlib.contextmanager
def mocked(
    project: str, stack: str, config: dict[str, str], secret_keys: Collection[str] = ()
) -> Iterator[tuple[asyncio.AbstractEventLoop, _Monitor, _Recorder]]:
    """Pulumi's process-global state set to recording mocks while in use, and reset after.

    Yields the event loop to run registrations on, the monitor and the mocks (for
    :func:`_collect`). A fresh loop; the executor threads' own loops are closed afterwards too.
    """
    recorder = _Recorder()
    monitor = _Monitor(recorder)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The mock monitor answers in executor threads, and Pulumi gives each thread an event loop
    # of its own that nobody closes. Create those loops here so they can be closed afterwards.
    thread_loops: list[asyncio.AbstractEventLoop] = []
    executor = ThreadPoolExecutor(initializer=_thread_loop, initargs=(thread_loops,))
    loop.set_default_executor(executor)
    try:
        pulumi.runtime.set_mocks(
            recorder, project=project, stack=stack, preview=False, monitor=monitor
        )
        pulumi.runtime.set_all_config(config, secret_keys=list(secret_keys))
        yield loop, monitor, recorder
    finally:
        pulumi.runtime.set_all_config({}, secret_keys=[])
        pulumi.runtime.reset_options()
        asyncio.set_event_loop(None)
        loop.close()
        executor.shutdown(wait=True)
        for thread_loop in thread_loops:
            thread_loop.close()


def record(
    program: Callable[[], object],
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    directory: Path | None = None,
    registered: list[str] | None = None,
    secret_keys: Collection[str] = (),
) -> list[RecordedResource]:
    """Run ``program`` under mocks as stack ``stack`` of ``project`` and record its resources.

    Args:
        program: creates the resources (a Pulumi program's body).
        project: the project name (config keys are ``project:key``).
        stack: the stack name, as ``pulumi.get_stack()`` will report it.
        config: fully qualified config keys -> string values (objects as JSON); omitted, none.
        directory: the working directory and first import path while it runs; omitted, unchanged.
        registered: when given, receives the URN of every resource registered, in order, even
            when the program fails (to show that a failing program registered nothing).
        secret_keys: the config keys that are secrets (a stack file's ``secure:`` values, passed
            in ``config`` as placeholders): ``Config.get`` returns them as they are,
            ``Config.get_secret`` and ``require_secret`` wrap them as secret outputs, as in
            ``pulumi up``.

    Returns:
        Every registered resource, components included, sorted by URN (registration runs in
        threads, so its order is not stable), the stack itself left out.

    Raises:
        PodfenceError: raised by the program is passed on; ``pulumi.RunError`` becomes a
            ConfigError with its message.
    """
    with mocked(project, stack, config or {}, secret_keys) as (loop, monitor, recorder):
        try:
            with _program_context(directory):
                loop.run_until_complete(run_pulumi_func(lambda: _discard(program())))
        except pulumi.RunError as error:
            raise ConfigError(str(error)) from error
        finally:
            if registered is not None:
                registered.extend(u for u in monitor.order if "::pulumi:pulumi:Stack::" not in u)
    return _collect(monitor, recorder)


def _collect(monitor: _Monitor, recorder: _Recorder) -> list[RecordedResource]:
    """Every resource ``monitor`` saw registered, the stack left out, sorted by URN."""
    out: list[RecordedResource] = []
    for urn, registration in sorted(monitor.get_registered_resources().items()):
        type_ = urn.split("::")[2].rsplit("$", 1)[-1]
        name = urn.split("::")[3]
        if type_ == "pulumi:pulumi:Stack":
            continue
        custom = recorder.custom.get((type_, name), False)
        inputs = integral(dict(registration.state)) if custom else {}
        provider = recorder.provider.get((type_, name), "")
        depends = tuple(
            u for u in monitor.dependencies.get(urn, ()) if "::pulumi:pulumi:Stack::" not in u
        )
        out.append(RecordedResource(type_, name, urn, inputs, custom, provider, depends))
    return out


def record_program(
    program: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: Collection[str] = (),
) -> list[RecordedResource]:
    """Run the program file ``program`` (a __main__.py) the way `pulumi up` would, under mocks:
    in its own directory, importable from there, as ``__main__``. See :func:`record`."""
    return record(
        lambda: runpy.run_path(str(program), run_name="__main__"),
        project,
        stack,
        config,
        directory=program.parent,
        secret_keys=secret_keys,
    )
