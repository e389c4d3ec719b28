"""`podfence explain`: whether one flow is allowed, and which policies and rules decide it."""

from __future__ import annotations

import argparse
from typing import Any

from podfence.cli.app import ExitStatus
from podfence.cli.inputs import add_input_arguments, load_inputs

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
        help="the source: namespace/pod, or an IP address outside the inventory",
    )
    parser.add_argument(
        "--to", dest="destination", required=True, metavar="DST", help="the destination pod"
    )
    parser.add_argument(
        "--port",
        required=True,
        metavar="N",
        help="the destination port: a number, or a name declared by the destination pod",
    )
    parser.add_argument(
        "--protocol",
        default="TCP",
        type=str.upper,
        choices=("TCP", "UDP", "SCTP"),
        help="TCP (the default), UDP or SCTP",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the explanation of one flow; the exit status is 0 whether allowed or denied."""
    from podfence.reachability.analyzer import Analyzer
    from podfence.reachability.explain import explain

    inputs = load_inputs(args)
    analyzer = Analyzer(inputs.objects, inputs.externals)
    port: int | str = int(args.port) if args.port.isdigit() else args.port
    print(explain(analyzer.evaluate(args.source, args.destination, port, args.protocol)))
    return ExitStatus.SUCCESS
