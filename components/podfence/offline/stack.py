"""A stack of the program, offline: the manifests it would apply and the inputs to analyse it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podfence.errors import ConfigError
from podfence.offline.project import Project, find_project
from podfence.offline.recorder import record_program

__all__ = ["StackInputs", "load_stack_inputs", "render_stack", "stack_firewall"]


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _object_key(obj: dict[str, Any]) -> tuple[str, str, str]:
    metadata = obj.get("metadata", {})
    return (obj["kind"], metadata.get("namespace", ""), metadata.get("name", ""))


def render_stack(stack: str, project_dir: Path | None = None) -> list[dict[str, Any]]:
    """Run the program as ``stack`` under mocks; return every Kubernetes object it would create,
    in wire form (apiVersion, kind, metadata, spec), sorted by kind, namespace and name.

    Args:
        stack: the stack's name (stacks/Pulumi.<stack>.yaml).
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.
    """
    project = find_project(project_dir)
    config = project.pulumi_config(stack)
    try:
        resources = record_program(project.program, project.name, stack, config)
    except ConfigError as error:
        raise ConfigError(f"{_relative(project.stack_file(stack))}: {error}") from error
    objects = [
        r.inputs
        for r in resources
        if r.custom and r.type.startswith("kubernetes:") and "kind" in r.inputs
    ]
    return sorted(objects, key=_object_key)


def stack_firewall(project: Project, stack: str) -> Any:
    """The stack's validated ``firewall`` config (a :class:`podfence.config.FirewallConfig`)."""
    from podfence.config import CONFIG_KEY, FirewallConfig

    key = f"{project.name}:{CONFIG_KEY}"
    config = project.stack_config(stack)
    if key not in config:
        raise ConfigError(
            f"{project.stack_file(stack)}: no {key} in config; the inventory of a stack is "
            "derived from its firewall object (or pass --inventory)"
        )
    return FirewallConfig.parse(config[key], root=CONFIG_KEY)


@dataclass(frozen=True)
class StackInputs:
    """The policies a stack would apply, with an inventory to evaluate them on.

    Attributes:
        objects: the policies plus the inventory's Namespace and Pod objects.
        externals: sample addresses to evaluate (none when an inventory is given).
        nodes: what each endpoint stands for in a graph of the firewall (see
            :class:`podfence.offline.inventory.DerivedInventory`); every pod by its own name
            when an inventory is given.
        tiers: the firewall's own tiers among the nodes; None (every node) with an inventory.
    """

    objects: list[dict[str, Any]]
    externals: list[str]
    nodes: dict[str, str]
    tiers: list[str] | None


def load_stack_inputs(
    stack: str,
    project_dir: Path | None = None,
    inventory: list[dict[str, Any]] | None = None,
) -> StackInputs:
    """The policies ``stack`` would apply, with an inventory to evaluate them on.

    Args:
        stack: the stack's name.
        project_dir: where to look for Pulumi.yaml; omitted, the current directory and up.
        inventory: Namespace and Pod objects to use; omitted, derived from the stack's firewall
            config (see :mod:`podfence.offline.inventory`).
    """
    from podfence.offline.inventory import derive_inventory

    policies = render_stack(stack, project_dir)
    if inventory is not None:
        nodes = {
            f"{o['metadata'].get('namespace') or 'default'}/{o['metadata']['name']}": ""
            for o in inventory
            if isinstance(o, dict)
            and o.get("kind") == "Pod"
            and isinstance(o.get("metadata"), dict)
        }
        return StackInputs(policies + inventory, [], {key: key for key in nodes}, None)
    derived = derive_inventory(stack_firewall(find_project(project_dir), stack))
    return StackInputs(policies + derived.objects, derived.externals, derived.nodes, derived.tiers)
