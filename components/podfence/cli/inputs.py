"""Where the analysis commands get their objects: a stack of the program, or YAML files.

``--stack STACK`` runs the program under Pulumi mocks to get the policies it would apply and
derives an inventory from the stack (or reads ``--inventory``); ``--policies``/``--inventory``
read any Kubernetes YAML, including ``kubectl get ... -o yaml`` output.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podfence.errors import ConfigError

__all__ = ["Inputs", "add_input_arguments", "load_inputs"]


@dataclass(frozen=True)
class Inputs:
    """Everything the reachability engine is given.

    Attributes:
        objects: NetworkPolicy, Namespace and Pod objects (``kind: List`` already flattened).
        externals: addresses outside the cluster to evaluate as sources, e.g. ``10.72.1.5``.
        origin: where the inputs came from, for headings (``stack dev`` or the file names).
    """

    objects: list[dict[str, Any]]
    externals: list[str] = field(default_factory=list)
    origin: str = ""


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --stack, --project-dir, --policies, --inventory and --external to ``parser``."""
    group = parser.add_argument_group("inputs")
    group.add_argument(
        "--stack", help="a stack of the program (stacks/Pulumi.STACK.yaml), rendered offline"
    )
    group.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the Pulumi project (default: the nearest directory upwards with Pulumi.yaml)",
    )
    group.add_argument(
        "--policies",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="YAML files or directories with NetworkPolicy objects",
    )
    group.add_argument(
        "--inventory",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="YAML files or directories with Namespace and Pod objects (kubectl get -o yaml works)",
    )
    group.add_argument(
        "--external",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="an address outside the cluster to evaluate as a source (repeatable)",
    )


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Read the objects named by the arguments added with :func:`add_input_arguments`.

    Raises:
        ConfigError: neither --stack nor --policies was given, or both were.
    """
    from podfence.reachability.loader import read_objects

    if args.stack and args.policies:
        raise ConfigError(
            "--stack and --policies exclude each other: the stack renders its own policies"
        )
    if not args.stack and not args.policies:
        raise ConfigError(
            "say what to analyse: --stack STACK, or --policies PATH... --inventory PATH..."
        )
    inventory = read_objects(args.inventory) if args.inventory else []
    if args.stack:
        from podfence.offline.stack import load_stack_inputs

        objects, externals = load_stack_inputs(
            args.stack, project_dir=args.project_dir, inventory=inventory or None
        )
        return Inputs(
            objects=objects,
            externals=[*externals, *args.external],
            origin=f"stack {args.stack}",
        )
    if not args.inventory:
        raise ConfigError(
            "--policies needs --inventory PATH... (the namespaces and pods to evaluate)"
        )
    objects = read_objects(args.policies) + inventory
    names = ", ".join(str(p) for p in [*args.policies, *args.inventory])
    return Inputs(objects=objects, externals=list(args.external), origin=names)
