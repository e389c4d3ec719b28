"""`podfence diff`: which connections a change opens and closes, and which policies it touches."""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podfence.cli.app import ExitStatus, add_output_argument
from podfence.cli.inputs import add_input_arguments, warn, warn_implicit_namespaces
from podfence.cli.matrix import parse_port
from podfence.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``diff`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "diff",
        help="the connections a change opens and closes; exit 1 when something changed",
        description=(
            "Compare a stack at a git revision (--base) with the working tree, or two sets of "
            "NetworkPolicy files (--base-policies, --policies) on one inventory. Both sides are "
            "evaluated on ONE inventory: the union of the inventories derived from both sides' "
            "firewalls, or --inventory. Exit status like diff(1): 0 nothing changed, 1 "
            "something changed, 2 bad input."
        ),
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--base",
        metavar="GIT_REF",
        help="with --stack: the revision to compare with (a branch, tag or commit)",
    )
    parser.add_argument(
        "--base-policies",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="with --policies: the NetworkPolicies before the change",
    )
    parser.add_argument(
        "--port",
        action="append",
        type=parse_port,
        default=[],
        metavar="N[/PROTO]",
        help="also evaluate this port on every destination (repeatable)",
    )
    add_output_argument(parser, {"text": "", "markdown": "a pull-request comment", "json": ""})
    parser.set_defaults(func=run)


@dataclass
class _Sides:
    base: list[dict[str, Any]]
    head: list[dict[str, Any]]
    inventory: list[dict[str, Any]]
    externals: list[str]
    nodes: dict[str, str]
    tiers: list[str] | None
    title: str


def _policies(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The policies among ``objects``: NetworkPolicies and the cluster-wide kinds."""
    from podfence.reachability.cluster import is_policy

    return [o for o in objects if is_policy(o)]


def _union(*inventories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Namespace and Pod objects of every inventory, once each.

    An object in several keeps the last one's labels; a pod also keeps every container port
    any of them declares, so that a port a change moves is probed on both sides (the flows to
    the old port close, those to the new one open).
    """
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for objects in inventories:
        for obj in objects:
            metadata = obj.get("metadata") or {}
            key = (obj.get("kind", ""), metadata.get("namespace", ""), metadata.get("name", ""))
            earlier = found.get(key)
            found[key] = obj if earlier is None else _merged(earlier, obj)
    return list(found.values())


def _merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    if later.get("kind") != "Pod":
        return later
    merged = copy.deepcopy(later)
    containers = merged.setdefault("spec", {}).setdefault("containers", [])
    if not containers:
        containers.append({"name": "main"})
    declared = [p for c in containers for p in c.get("ports") or []]
    for container in (earlier.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            same = [p for p in declared if p.get("containerPort") == port.get("containerPort")]
            if not any(p.get("protocol", "TCP") == port.get("protocol", "TCP") for p in same):
                containers[0].setdefault("ports", []).append(dict(port))
                declared.append(port)
    return merged


def _stack_sides(args: argparse.Namespace) -> _Sides:
    from podfence.offline.inventory import derive_inventory
    from podfence.offline.project import find_project
    from podfence.offline.revision import checkout, render_revision
    from podfence.offline.stack import render_stack, stack_firewall
    from podfence.reachability import read_objects

    if not args.base:
        raise ConfigError("--stack needs --base GIT_REF: the revision to compare the stack with")
    project = find_project(args.project_dir)
    head = render_stack(args.stack, project.directory)
    given = read_objects(args.inventory) if args.inventory else None
    derived = [] if given is not None else [derive_inventory(stack_firewall(project, args.stack))]
    with checkout(project, args.base) as base:
        before = render_revision(base, args.stack)
        if given is None and before:
            try:
                derived.insert(0, derive_inventory(stack_firewall(base.project, args.stack)))
            except ConfigError as error:
                raise ConfigError(
                    f"cannot derive an inventory from the stack at {args.base}: {error}; "
                    "pass --inventory"
                ) from error
        commit = base.commit
    if not before:
        warn(f"stack {args.stack} does not exist at {args.base}: every policy is new")
    title = f"podfence diff: stack {args.stack}, {args.base} ({commit}) -> working tree"
    if given is not None:
        return _Sides(before, head, given, [], {}, None, title)
    nodes: dict[str, str] = {}
    tiers: dict[str, None] = {}
    externals: dict[str, None] = {}
    for inventory in derived:
        nodes.update(inventory.nodes)
        tiers.update(dict.fromkeys(inventory.tiers))
        externals.update(dict.fromkeys(inventory.externals))
    return _Sides(
        before,
        head,
        _union(*(inventory.objects for inventory in derived)),
        list(externals),
        nodes,
        list(tiers),
        title,
    )


def _file_sides(args: argparse.Namespace) -> _Sides:
    from podfence.reachability import read_objects

    if not args.base_policies or not args.inventory:
        raise ConfigError(
            "--policies needs --base-policies PATH... (before the change) and --inventory PATH..."
        )
    names = " ".join(str(p) for p in args.base_policies)
    heads = " ".join(str(p) for p in args.policies)
    return _Sides(
        read_objects(args.base_policies),
        read_objects(args.policies),
        read_objects(args.inventory),
        [],
        {},
        None,
        f"podfence diff: {names} -> {heads}",
    )


def run(args: argparse.Namespace) -> int:
    """Print the difference; exit 1 when connections or policies changed, else 0."""
    from podfence.cli.render import dump_manifests
    from podfence.reachability import load_cluster, sample_address
    from podfence.reachability.diff import diff_firewalls
    from podfence.reachability.diff_report import render_json, render_markdown, render_text

    if args.stack and args.policies:
        raise ConfigError("--stack and --policies exclude each other")
    if args.stack:
        sides = _stack_sides(args)
    elif args.policies:
        sides = _file_sides(args)
    else:
        raise ConfigError(
            "say what to compare: --stack STACK --base GIT_REF, or "
            "--base-policies PATH... --policies PATH... --inventory PATH..."
        )
    base = load_cluster([*_policies(sides.base), *sides.inventory])
    head = load_cluster([*_policies(sides.head), *sides.inventory])
    for message in dict.fromkeys([*base.warnings, *head.warnings]):
        warn(message)
    warn_implicit_namespaces(head, args)
    externals = [sample_address(a, "--external") for a in [*sides.externals, *args.external]]
    diff = diff_firewalls(
        base.policies,
        head.policies,
        head.inventory,
        _policies(sides.base),
        _policies(sides.head),
        lambda manifest: dump_manifests([dict(manifest)]).removeprefix("---\n"),
        externals,
        args.port,
    )
    if args.output == "json":
        text = render_json(diff)
    elif args.output == "markdown":
        text = render_markdown(diff, sides.nodes, sides.title, sides.tiers)
    else:
        text = render_text(diff, sides.nodes, sides.title)
    sys.stdout.write(text)
    return ExitStatus.FAILED if diff.has_changes else ExitStatus.SUCCESS
