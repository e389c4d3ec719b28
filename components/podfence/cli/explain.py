"""`podfence explain`: whether one flow is allowed, and which policies and rules decide it."""

from __future__ import annotations

import argparse
from typing import Any

from podfence.cli.app import ExitStatus, add_output_argument
from podfence.cli.inputs import add_input_arguments, load_analysis

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``explain`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "explain",
        help="why one flow is allowed or denied",
        description=(
            "Evaluate one connection and say, in words, every policy and rule that allows it, "
            "or why none does."
        ),
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="SRC",
        help="the source: namespace/pod, or an IP address (a pod's IP is that pod)",
    )
    parser.add_argument(
        "--to",
        dest="destination",
        required=True,
        metavar="DST",
        help="the destination: namespace/pod, or an IP address (outside the cluster: egress only)",
    )
    parser.add_argument(
        "--port",
        required=True,
        metavar="N",
        help="the destination port: a number, or a name declared by the destination pod",
    )
    parser.add_argument(
        "--protocol",
        default=None,
        type=str.upper,
        choices=("TCP", "UDP", "SCTP"),
        help="TCP, UDP or SCTP (default: TCP for a number, the named port's own protocol)",
    )
    add_output_argument(parser, {"text": "", "json": "the verdict, every rule and why, as data"})
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the explanation of one flow; the exit status is 0 whether allowed or denied."""
    import json

    from podfence.reachability import evaluate, explain, traffic, verdict_json

    analysis = load_analysis(args)
    cluster = analysis.cluster
    flow = traffic(cluster.inventory, args.source, args.destination, args.port, args.protocol)
    verdict = evaluate(cluster.policies, cluster.inventory, flow)
    if args.output == "json":
        print(json.dumps(verdict_json(verdict), indent=2))
    else:
        print(explain(verdict))
    return ExitStatus.SUCCESS
