"""Where the analysis commands get their objects: a stack of the program, or YAML files.

``--stack STACK`` runs the program under Pulumi mocks to get the policies it would apply and
derives an inventory from the stack (or reads ``--inventory``); ``--policies``/``--inventory``
read any Kubernetes YAML, including ``kubectl get ... -o yaml`` output.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podfence.errors import ConfigError

if TYPE_CHECKING:
    from podfence.reachability import Cluster
    from podfence.reachability.model import Address

__all__ = [
    "Analysis",
    "Inputs",
    "add_input_arguments",
    "load_analysis",
    "load_inputs",
    "warn",
    "warn_implicit_namespaces",
]


@dataclass(frozen=True)
class Inputs:
    """Everything the reachability engine is given.

    Attributes:
        objects: NetworkPolicy, Namespace and Pod objects (``kind: List`` already flattened).
        externals: addresses outside the cluster to evaluate as sources, e.g. ``10.72.1.5``.
        origin: where the inputs came from, for headings (``stack dev`` or the file names).
        nodes: with --stack, what each endpoint stands for in a graph of the firewall; None
            (each pod stands for itself) otherwise.
        tiers: with a derived stack inventory, the firewall's own tiers among the nodes.
        policy_count: with --policies, how many policies those files hold (NetworkPolicy,
            networking.k8s.io/v1, and the cluster-wide kinds the engine reads); None with
            --stack.
    """

    objects: list[dict[str, Any]]
    externals: list[str] = field(default_factory=list)
    origin: str = ""
    nodes: dict[str, str] | None = None
    tiers: list[str] | None = None
    policy_count: int | None = None


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --stack, --project-dir, --policies, --inventory, --namespaces-from-pods and
    --external to ``parser``."""
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
        help=(
            "YAML files or directories with NetworkPolicy objects (and AdminNetworkPolicy, "
            "BaselineAdminNetworkPolicy, ClusterNetworkPolicy)"
        ),
    )
    group.add_argument(
        "--inventory",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help=(
            "YAML files or directories with Namespace, Pod and Node objects (kubectl get -o "
            "yaml works)"
        ),
    )
    group.add_argument(
        "--namespaces-from-pods",
        action="store_true",
        help=(
            "take a namespace the inventory does not define (no Namespace object, as in "
            "`kubectl get pods -A -o yaml`) to carry only its kubernetes.io/metadata.name label, "
            "on purpose: without it, each such namespace is named in a warning"
        ),
    )
    group.add_argument(
        "--external",
        action="append",
        default=[],
        metavar="ADDRESS",
        help=(
            "an address outside the cluster (or a CIDR: its first address), evaluated as a "
            "source and as a destination (repeatable); an address that is a pod's IP is that pod"
        ),
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

        stack = load_stack_inputs(
            args.stack, project_dir=args.project_dir, inventory=inventory or None
        )
        return Inputs(
            objects=stack.objects,
            externals=[*stack.externals, *args.external],
            origin=f"stack {args.stack}",
            nodes=stack.nodes,
            tiers=stack.tiers,
        )
    if not args.inventory:
        raise ConfigError(
            "--policies needs --inventory PATH... (the namespaces and pods to evaluate)"
        )
    from podfence.reachability.cluster import KINDS, is_policy

    policies = read_objects(args.policies)
    count = sum(
        1
        for obj in policies
        if is_policy(obj) and obj.get("apiVersion") in (None, *KINDS[obj["kind"]])
    )
    names = ", ".join(str(p) for p in [*args.policies, *args.inventory])
    return Inputs(
        objects=policies + inventory,
        externals=list(args.external),
        origin=names,
        policy_count=count,
    )


@dataclass(frozen=True)
class Analysis:
    """What the analysis commands evaluate.

    Attributes:
        cluster: the policies and the inventory.
        externals: the addresses outside the cluster (``--external``, and with ``--stack`` the
            stack's sample addresses).
        origin: where the inputs came from.
        nodes: see :class:`Inputs`.
        tiers: see :class:`Inputs`.
    """

    cluster: Cluster
    externals: list[Address]
    origin: str
    nodes: dict[str, str] | None = None
    tiers: list[str] | None = None


def warn(message: str) -> None:
    """``podfence: warning: ...`` on stderr."""
    print(f"podfence: warning: {message}", file=sys.stderr)


def load_analysis(args: argparse.Namespace) -> Analysis:
    """Read the inputs, sort them into policies and inventory, and warn about what is skipped
    or assumed: objects not evaluated, --policies without a NetworkPolicy, namespaces the
    inventory does not define (unless --namespaces-from-pods).

    Raises:
        PodfenceError: bad arguments, unreadable or malformed input.
    """
    from podfence.reachability import load_cluster, sample_address

    inputs = load_inputs(args)
    cluster = load_cluster(inputs.objects)
    for message in cluster.warnings:
        warn(message)
    if inputs.policy_count == 0:
        files = " ".join(str(p) for p in args.policies)
        found = len(cluster.policies) + len(cluster.policies.cluster_policies)
        if found:
            warn(
                f"no NetworkPolicy in --policies {files}; the {found} in --inventory are evaluated"
            )
        else:
            warn(f"no NetworkPolicy in --policies {files}: every flow is allowed")
    warn_implicit_namespaces(cluster, args)
    externals = [sample_address(text, "--external") for text in inputs.externals]
    return Analysis(cluster, externals, inputs.origin, inputs.nodes, inputs.tiers)


def warn_implicit_namespaces(cluster: Cluster, args: argparse.Namespace) -> None:
    """A warning for each namespace pods use that the inventory does not define, unless
    ``--namespaces-from-pods`` says the assumption is meant."""
    from podfence.reachability.model import NAME_LABEL

    if getattr(args, "namespaces_from_pods", False):
        return
    for name in sorted(cluster.inventory.implicit_namespaces):
        warn(
            f"namespace {name} is not in the inventory: its labels are taken to be only "
            f"{NAME_LABEL}={name}; add its Namespace object (kubectl get namespaces -o yaml), "
            "or pass --namespaces-from-pods to say so on purpose"
        )
