"""`podfence graph`: the allowed flows between tiers, namespaces and address ranges, as a picture."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from podfence.cli.app import ExitStatus
from podfence.cli.inputs import add_input_arguments, load_analysis

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``graph`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "graph",
        help="the allowed flows as a Mermaid or Graphviz graph",
        description=(
            "Draw what the engine proves: an edge for every pair of nodes between which a flow "
            "is allowed, labelled with its ports. With --stack the nodes are the firewall's "
            "tiers, the namespaces and ingress controller it admits, its IP ranges (with their "
            "exceptions) and DNS, and only edges into or out of a tier are drawn; with "
            "--policies every pod is a node."
        ),
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--format",
        choices=("mermaid", "dot"),
        default="mermaid",
        help="mermaid (the default; GitHub renders it in Markdown) or dot (Graphviz)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the graph."""
    from podfence.reachability.graph import FlowGraph, dot, mermaid
    from podfence.reachability.matrix import Matrix

    analysis = load_analysis(args)
    cluster = analysis.cluster
    matrix = Matrix.build(
        cluster.policies, cluster.inventory, externals=analysis.externals, allowed_only=True
    )
    nodes = analysis.nodes
    if nodes is None:
        nodes = {pod.key: pod.key for pod in cluster.inventory.pods}
        nodes.update({address.key: address.key for address in matrix.sources[len(nodes) :]})
    graph = FlowGraph.from_matrix(matrix, nodes, analysis.tiers)
    sys.stdout.write(mermaid(graph) if args.format == "mermaid" else dot(graph))
    return ExitStatus.SUCCESS
