"""`podfence matrix`: every flow between the pods of an inventory, allowed or denied."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any

from podfence.cli.app import ExitStatus, add_output_argument
from podfence.cli.inputs import add_input_arguments, load_analysis, warn

__all__ = ["parse_port", "register", "run"]

_PROTOCOLS = ("TCP", "UDP", "SCTP")


def parse_port(text: str) -> tuple[int, str]:
    """``N`` or ``N/PROTO`` (protocol TCP when omitted, any case) as (port, protocol).

    Raises:
        argparse.ArgumentTypeError: not a port number 1-65535, or an unknown protocol.
    """
    number, _, protocol = text.partition("/")
    protocol = protocol.upper() or "TCP"
    if not number.isdigit() or not 1 <= int(number) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a port number 1-65535, e.g. 8080/TCP")
    if protocol not in _PROTOCOLS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: unsupported protocol {protocol} (expected {', '.join(_PROTOCOLS)})"
        )
    return int(number), protocol


def register(subparsers: Any) -> None:
    """Add the ``matrix`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "matrix",
        help="every flow between the pods, allowed or denied",
        description=(
            "Evaluate every source (each pod, then each --external address and each address of "
            "the inventory's Node objects, named node/<name> (<address>)) against every other "
            "pod on each port it declares (plus --port), and every pod against each of those "
            "addresses on each --port and each port an egress rule names, under the "
            "NetworkPolicies. Every format is streamed. For a large cluster, read "
            "`kubectl get pods,namespaces -A -o json`: JSON parses 1.3-1.5x faster than YAML."
        ),
    )
    add_input_arguments(parser)
    add_output_argument(
        parser,
        {
            "table": "for people, pods that behave alike grouped",
            "markdown": "the same",
            "json": "",
            "jsonl": "one flow per line",
            "csv": "every flow",
        },
    )
    parser.add_argument(
        "--allowed-only", action="store_true", help="list only the flows that are allowed"
    )
    parser.add_argument(
        "--port",
        action="append",
        type=parse_port,
        default=[],
        metavar="N[/PROTO]",
        help=(
            "also evaluate this port on every pod and every --external address (repeatable; "
            "protocol TCP by default)"
        ),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the matrix of the inputs named by ``args`` to stdout.

    Pods that declare no containerPorts receive no flows unless --port is given; a warning on
    stderr says how many there are.
    """
    # What this builds is fresh and acyclic (YAML documents, the model, the matrix): the cyclic
    # garbage collector's passes over it would free nothing, and take ~10% of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _print_matrix(args)
    finally:
        if enabled:
            gc.enable()


def _print_matrix(args: argparse.Namespace) -> int:
    from podfence.reachability.matrix import Matrix
    from podfence.reachability.render import render

    analysis = load_analysis(args)
    cluster = analysis.cluster
    matrix = Matrix.build(
        cluster.policies,
        cluster.inventory,
        externals=analysis.externals,
        ports=args.port,
        allowed_only=args.allowed_only,
        nodes=True,
    )
    for address, pod in matrix.addresses_of_pods:
        warn(f"--external {address} is the IP of pod {pod}: it is evaluated as that pod")
    silent = len(matrix.pods_without_ports)
    if silent:
        what = (
            "pod declares no containerPorts and receives"
            if silent == 1
            else "pods declare no containerPorts and receive"
        )
        warn(
            f"{silent} {what} no flows (e.g. {matrix.pods_without_ports[0]}); "
            "evaluate ports on every pod with --port N[/PROTO]"
        )
    if len(matrix.sources) > len(cluster.inventory.pods) and not matrix.probe_ports:
        which = "--external addresses" if analysis.externals else "nodes' addresses"
        warn(
            f"no port to probe on the {which} as destinations: no egress rule names "
            "a port; add --port N[/PROTO]"
        )
    render(matrix, args.output, sys.stdout)
    return ExitStatus.SUCCESS
