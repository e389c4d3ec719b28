"""Policy ``stack-expectations-hold``: the stack's NetworkPolicies keep its expectations file.

The same check as ``podfence check --stack``, on what the preview would apply: the stack's
NetworkPolicies and cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
ClusterNetworkPolicy: podfence's ClusterBaseline, say), from the resources' properties, are
evaluated by podfence's engine against
each flow of the expectations file (see :mod:`podfence.expectations`), and each flow whose
verdict is not the expected one is a violation carrying the engine's explanation.

Where things come from:

* The stack and project: the names the Pulumi CLI gives the policy pack (pulumi_policy sets
  them from ``PULUMI_STACK`` and ``PULUMI_PROJECT``). The project directory: the
  configuration's ``projectDir``, else the nearest directory holding a ``Pulumi.yaml`` of that
  project name, from the policy pack's working directory upwards (a pack kept inside the
  project, as ``policy/`` is here, finds it).
* The expectations file: the configuration's ``expectations`` (relative to the project
  directory), else ``<stackConfigDir>/<stack>.expect.yaml``, as ``podfence check --stack``
  reads it. No such file and none configured: the policy does not apply.
* The inventory the flows are evaluated on, the first that applies: the configuration's
  ``inventory`` (YAML or JSON files of Namespace and Pod objects, e.g. ``kubectl get
  pods,namespaces -A -o yaml``, relative to the project directory); the inventory
  ``podfence check --stack`` derives from the stack's ``firewall`` config; the stack's own
  Namespaces and workloads (a pod per workload, named after it, with its template's labels and
  ports); one derived from the policies (:func:`podfence.testing.policy_inventory`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from podfence.errors import ConfigError, InputError, PodfenceError
from podfence.expectations import (
    Outcome,
    check_expectations,
    describe_failure,
    expectations_path,
    load_expectations,
)
from podfence.offline.project import Project, find_project
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import Compiled, StackObjects, denying, stack_objects
from podfence.reachability import Cluster, load_cluster, read_objects
from podfence.reachability.verdict import ClusterPolicyRef, PolicyRef
from podfence.spec.base import Spec

__all__ = ["NAME", "POLICY", "ExpectationsConfig", "stack_inventory", "validate"]

NAME = "stack-expectations-hold"


class ExpectationsConfig(Spec):
    """The policy's configuration.

    Attributes:
        expectations: the expectations file; omitted, ``<stackConfigDir>/<stack>.expect.yaml``.
        inventory: files or directories of Namespace and Pod objects to evaluate on; omitted,
            derived (see the module's docstring).
        project_dir: the Pulumi project's directory; omitted, found from the working directory.
    """

    expectations: str | None = None
    inventory: tuple[str, ...] = ()
    project_dir: str | None = None


def _project(config: ExpectationsConfig, name: str) -> Project | None:
    """The stack's project, or None when it cannot be found (and none was configured)."""
    start = Path(config.project_dir) if config.project_dir else Path.cwd()
    try:
        project = find_project(start)
    except ConfigError:
        if config.project_dir:
            raise
        return None
    if project.name == name:
        return project
    if config.project_dir:
        raise ConfigError(
            f"policy config {NAME}.projectDir {config.project_dir!r}: its Pulumi.yaml names "
            f"project {project.name!r}, not the stack's project {name!r}"
        )
    return None


def _resolve(path: str, project: Project | None) -> Path:
    given = Path(path)
    return given if given.is_absolute() or project is None else project.directory / given


def _shown(path: Path, project: Project | None) -> Path:
    """``path`` relative to the project directory when it lies inside it."""
    if project is not None and path.is_relative_to(project.directory):
        return path.relative_to(project.directory)
    return path


@dataclass(frozen=True)
class StackInventory:
    """Namespace and Pod objects to evaluate the expectations on, and where they came from."""

    objects: list[dict[str, Any]]
    origin: str


def stack_inventory(
    config: ExpectationsConfig, project: Project | None, stack: str, objects: StackObjects
) -> StackInventory:
    """The inventory, the first of: configured files, the stack's firewall config, the stack's
    workloads, the policies (see the module's docstring).

    Raises:
        PodfenceError: an unreadable inventory file, an invalid firewall config.
    """
    if config.inventory:
        paths = [_resolve(path, project) for path in config.inventory]
        return StackInventory(
            read_objects(paths), f"the inventory {', '.join(str(p) for p in paths)}"
        )
    if project is not None and stack in project.stacks():
        from podfence.config import CONFIG_KEY

        if project.stack_config(stack).get(f"{project.name}:{CONFIG_KEY}") is not None:
            from podfence.offline.inventory import derive_inventory
            from podfence.offline.stack import stack_firewall

            derived = derive_inventory(stack_firewall(project, stack))
            return StackInventory(
                derived.objects, f"the inventory derived from stack {stack}'s firewall config"
            )
    if objects.workloads:
        return StackInventory(
            [*objects.namespaces, *objects.pods()], "the stack's namespaces and workloads"
        )
    from podfence.testing.assertions import policy_inventory

    return StackInventory(
        policy_inventory(objects.manifests()), "the inventory derived from the policies"
    )


def _urn(outcome: Outcome, compiled: Compiled) -> str | None:
    """The policy to attach a failure to: the first that allows an unexpected flow (a rule of a
    NetworkPolicy, else a cluster-wide rule), or the first that isolates an end of a denied one
    or whose cluster-wide rule denies it."""
    verdict = outcome.verdict
    refs: list[PolicyRef | ClusterPolicyRef]
    if verdict.allowed:
        refs = [rule.policy_ref for rule in verdict.deciding_rules()]
        refs += [rule.policy_ref for rule in verdict.deciding_tier_rules()]
    else:
        refs = [*denying(verdict.side("ingress")), *denying(verdict.side("egress"))]
    return compiled.urn(refs)


def _check(args: StackValidationArgs, config: ExpectationsConfig, report: ReportViolation) -> None:
    stack, name = pulumi.get_stack(), pulumi.get_project()
    if not stack or not name:
        args.not_applicable("the Pulumi CLI named no stack or project (PULUMI_STACK)")
        return
    project = _project(config, name)
    if config.expectations:
        path = _resolve(config.expectations, project)
    elif project is None:
        args.not_applicable(
            f"no Pulumi.yaml of project {name} in {Path.cwd()} or above it: set projectDir or "
            "expectations in the policy config"
        )
        return
    else:
        path = expectations_path(project.stack_config_dir, stack)
        if not path.is_file():
            args.not_applicable(f"stack {stack} has no expectations file ({path})")
            return
    expectations = load_expectations(path)
    objects = stack_objects(args.resources)
    inventory = stack_inventory(config, project, stack, objects)
    cluster: Cluster = load_cluster(
        [*objects.manifests(), *objects.cluster_manifests(), *inventory.objects]
    )
    try:
        outcomes = check_expectations(expectations, cluster.policies, cluster.inventory)
    except InputError as error:
        pods = ", ".join(pod.key for pod in cluster.inventory.pods) or "none"
        raise InputError(
            f"{_shown(path, project)}: {error} (on {inventory.origin}; its pods: {pods})"
        ) from None
    compiled = objects.compiled()
    for outcome in outcomes:
        if not outcome.passed:
            report(
                f"{_shown(path, project)} {describe_failure(outcome)}\n"
                f"  (evaluated on {inventory.origin})",
                _urn(outcome, compiled),
            )


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    """Report each expectation of the stack's expectations file that its policies break."""
    try:
        config = read_config(args, ExpectationsConfig, NAME)
        _check(args, config, report)
    except PodfenceError as error:
        report(f"cannot check the stack's expectations: {error}", None)


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "The stack's NetworkPolicies allow and deny exactly the flows its expectations file "
        "says (podfence check, on what the preview would apply)."
    ),
    validate=validate,
    config_schema=PolicyConfigSchema(
        {
            "expectations": {
                "type": "string",
                "description": "the expectations file (default: <stackConfigDir>/<stack>"
                ".expect.yaml), relative to the project directory",
            },
            "inventory": {
                "type": "array",
                "items": {"type": "string"},
                "description": "YAML/JSON files of Namespace and Pod objects to evaluate on",
                "default": [],
            },
            "projectDir": {
                "type": "string",
                "description": "the Pulumi project directory (default: found from the policy "
                "pack's working directory upwards)",
            },
        }
    ),
)
