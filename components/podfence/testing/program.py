"""Pulumi programs and components under mocks, for tests: what they register, as manifests.

The policies are what the reachability engine evaluates: the NetworkPolicies and the
cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, as
``kubernetes.apiextensions.CustomResource`` registers them, e.g. a ClusterBaseline's), in the
wire form the mocks record (apiVersion, kind, metadata, spec)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.stack import run_pulumi_func

from podfence.errors import ConfigError
from podfence.offline.project import find_project
from podfence.offline.recorder import RecordedResource, _collect, mocked, record_program
from podfence.reachability.admin_loader import API_VERSIONS
from podfence.reachability.policy import API_VERSION

__all__ = ["POLICY_KINDS", "Captured", "Program", "capture", "run_program"]

#: The policy kinds the engine evaluates, with the apiVersions it reads them in.
POLICY_KINDS: dict[str, tuple[str, ...]] = {"NetworkPolicy": (API_VERSION,), **API_VERSIONS}
#: The stack a program runs as when its project has no stack file.
DEFAULT_STACK = "test"


def _is_policy(resource: RecordedResource) -> bool:
    """Whether ``resource`` is a policy object the engine evaluates: a kind of
    :data:`POLICY_KINDS` in its apiVersion, registered under the type token
    ``kubernetes:<apiVersion>:<kind>`` (``kubernetes:networking.k8s.io/v1:NetworkPolicy``;
    a CustomResource's is its apiVersion and kind)."""
    kind, version = resource.inputs.get("kind"), resource.inputs.get("apiVersion")
    return (
        resource.custom
        and isinstance(kind, str)
        and version in POLICY_KINDS.get(kind, ())
        and resource.type == f"kubernetes:{version}:{kind}"
    )


def _policies(resources: list[RecordedResource]) -> list[dict[str, Any]]:
    """The policy manifests among ``resources`` (see :func:`_is_policy`), sorted by namespace
    and name: the cluster-wide ones, which have no namespace, first, by kind and name."""
    return sorted(
        (r.inputs for r in resources if _is_policy(r)),
        key=lambda p: (
            str(p.get("metadata", {}).get("namespace", "")),
            str(p.get("kind", "")) if not p.get("metadata", {}).get("namespace") else "",
            str(p.get("metadata", {}).get("name", "")),
        ),
    )


@dataclass(frozen=True)
class Program:
    """What a Pulumi program registered when run under mocks.

    Attributes:
        stack: the stack it ran as.
        resources: every resource it registered, components included, sorted by URN.
        policies: the policy manifests among them, in wire form (apiVersion, kind, metadata,
            spec; camelCase; integers as integers): the NetworkPolicies and the cluster-wide
            policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy),
            the cluster-wide ones first, then by namespace and name.
    """

    stack: str
    resources: list[RecordedResource]
    policies: list[dict[str, Any]]


def _config_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def run_program(
    project_dir: str | Path,
    stack: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Program:
    """Run the Pulumi program of a project (its ``__main__.py``) under mocks.

    The program runs as ``pulumi up`` would run it (in its own directory, importable from there,
    as ``__main__``), with the stack file's config; nothing reaches a cluster or the Pulumi
    service. Pulumi's global state is reset afterwards, so runs may follow one another.

    Args:
        project_dir: the project's folder (the one holding Pulumi.yaml) or a folder below it.
        stack: the stack to run as; omitted, the first stack (in name order) that has a stack
            file, else ``"test"`` with no stack config.
        config: config to add or override, ``key: value``. A key without a ``:`` is the
            project's own (``firewall`` is ``<project>:firewall``); an object or list value is
            passed as JSON, as the Pulumi CLI does.

    Returns:
        The resources the program registered, and its policies (NetworkPolicies and
        cluster-wide policies).

    Raises:
        ConfigError: no Pulumi.yaml, no such stack, or the program failed with
            ``pulumi.RunError`` (its message).
        PodfenceError: raised by the program, passed on.
    """
    project = find_project(Path(project_dir))
    stacks = project.stacks()
    if stack is None:
        stack = stacks[0] if stacks else DEFAULT_STACK
    has_file = stack in stacks
    values = project.pulumi_config(stack) if has_file else {}
    secret_keys = project.secret_keys(stack) if has_file else []
    for key, value in (config or {}).items():
        full = key if ":" in key else f"{project.name}:{key}"
        values[full] = _config_value(value)
    resources = record_program(project.program, project.name, stack, values, secret_keys)
    return Program(stack, resources, _policies(resources))


@dataclass
class Captured:
    """What the components built in a :func:`capture` block registered.

    Filled in when the block ends: empty inside it.

    Attributes:
        resources: every resource registered, components included, sorted by URN.
        policies: the policy manifests among them, in wire form, as :attr:`Program.policies`.
    """

    resources: list[RecordedResource] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def capture(
    project: str = "test",
    stack: str = DEFAULT_STACK,
    config: Mapping[str, Any] | None = None,
) -> Iterator[Captured]:
    """Record the resources that components built inside the ``with`` block register.

    ::

        with capture() as captured:
            Firewall("shop", {...})
        assert len(captured.policies) == 6

    The block runs under podfence's recording mocks, on an event loop of its own: resources are
    registered when the block ends, and only then are :attr:`Captured.resources` and
    :attr:`Captured.policies` filled in (so awaiting an output inside the block cannot work;
    read the manifests afterwards). Pulumi's global state (mocks, options, config, the current
    event loop) is reset afterwards, whether the block succeeds or raises.

    Args:
        project: the project name (``pulumi.get_project()``, the prefix of config keys).
        stack: the stack name (``pulumi.get_stack()``).
        config: config the components read, ``key: value`` as for :func:`run_program`.

    Yields:
        The capture, filled in when the block ends.

    Raises:
        ConfigError: a registration failed with ``pulumi.RunError`` (its message).
    """
    captured = Captured()
    values = {
        (key if ":" in key else f"{project}:{key}"): _config_value(value)
        for key, value in (config or {}).items()
    }
    with mocked(project, stack, values) as (loop, monitor, recorder):
        failed = True
        try:
            yield captured
            failed = False
        finally:
            # Let every registration the block started finish, even when it raised.
            try:
                loop.run_until_complete(run_pulumi_func(lambda: None))
            except pulumi.RunError as error:
                if not failed:
                    raise ConfigError(str(error)) from error
            except Exception:
                if not failed:
                    raise
    captured.resources = _collect(monitor, recorder)
    captured.policies = _policies(captured.resources)
