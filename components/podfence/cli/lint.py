"""`podfence lint`: sanity checks of a firewall, each finding with its policy, rule, why and fix."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from podfence.cli.app import ExitStatus, add_output_argument
from podfence.cli.inputs import add_input_arguments, load_analysis
from podfence.errors import ConfigError

if TYPE_CHECKING:
    from podfence.reachability.lint import DnsTarget

__all__ = ["parse_labels", "register", "run"]


def parse_labels(text: str) -> tuple[tuple[str, str], ...]:
    """``k8s-app=kube-dns[,key=value...]`` as label pairs, checked as the API server checks labels.

    Raises:
        argparse.ArgumentTypeError: an entry without ``=``, a bad key or value.
    """
    from podfence.validation import label_value_problem, qualified_name_problem

    pairs = []
    for entry in text.split(","):
        key, equals, value = entry.partition("=")
        if not equals:
            raise argparse.ArgumentTypeError(
                f"{entry!r}: expected KEY=VALUE, e.g. k8s-app=kube-dns"
            )
        problem = qualified_name_problem(key)
        if problem is None:
            problem = label_value_problem(value)
        if problem is not None:
            raise argparse.ArgumentTypeError(f"{entry!r}: {problem}")
        pairs.append((key, value))
    return tuple(pairs)


def register(subparsers: Any) -> None:
    """Add the ``lint`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "lint",
        help="sanity checks: dead, redundant and too open policies, missing default deny, DNS",
        description=(
            "Check the policies on the inventory: policies that select no pod, peers that match "
            "nothing, ipBlocks whose excepts cover them, undeclared named ports, rules and "
            "policies whose removal changes no verdict (proved with the engine), namespaces "
            "without a default deny, policies that block DNS (at any tier), ingress from every "
            "address, and rules open to every namespace on every port. Each finding names the "
            "policy and rule, says why, and how to fix it. Exit status: 0 no findings, 1 "
            "findings (at --fail-on or worse; ignored ones do not count), 2 bad input."
        ),
    )
    add_input_arguments(parser)
    add_output_argument(
        parser, {"text": "", "markdown": "a pull-request comment or job summary", "json": ""}
    )
    parser.add_argument(
        "--fail-on",
        choices=("warning", "error"),
        default="warning",
        help="exit 1 on any finding (warning, the default) or only on errors",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="CHECK[,CHECK...]",
        help=(
            "leave out the findings of a check, by code (PF009) or name "
            "(ingress-from-anywhere); repeatable or comma-separated; the summary counts them"
        ),
    )
    parser.add_argument(
        "--dns-namespace",
        metavar="NAMESPACE",
        help=(
            "the namespace of the DNS pods (default: kube-system, or with --stack the stack's "
            "defaultDeny.dns)"
        ),
    )
    parser.add_argument(
        "--dns-labels",
        type=parse_labels,
        metavar="KEY=VALUE[,...]",
        help="the labels of the DNS pods (default: k8s-app=kube-dns, or the stack's)",
    )
    parser.set_defaults(func=run)


def _ignored(values: list[str] | None) -> set[str]:
    """The names of the checks ``--ignore`` gives (codes or names, comma-separated).

    Raises:
        ConfigError: an entry that is no check's code or name, with the known ones.
    """
    from podfence.reachability.lint import CHECKS, find_check

    names = set()
    for value in values or ():
        for entry in value.split(","):
            check = find_check(entry)
            if check is None:
                known = ", ".join(f"{c.code} {c.name}" for c in CHECKS.values())
                raise ConfigError(f"--ignore {entry.strip()!r} is no check; the checks: {known}")
            names.add(check.name)
    return names


def _dns(args: argparse.Namespace, derived: bool) -> DnsTarget:
    """Where DNS is: the options, else with a derived stack inventory the stack's own setting.

    Raises:
        ConfigError: a bad ``--dns-namespace``.
        SpecError: a port of the stack's ``defaultDeny.dns`` without a number (see
            :func:`~podfence.reachability.lint.dns.dns_target`).
    """
    from podfence.reachability.lint import DnsTarget
    from podfence.validation import dns1123_label_problem

    target = DnsTarget()
    if args.stack and derived:
        from podfence.offline.project import find_project
        from podfence.offline.stack import stack_firewall
        from podfence.reachability.lint.dns import dns_target

        dns = stack_firewall(find_project(args.project_dir), args.stack).default_deny.dns
        target = dns_target(dns, "firewall.defaultDeny.dns")
    if args.dns_namespace is not None:
        problem = dns1123_label_problem(args.dns_namespace)
        if problem is not None:
            raise ConfigError(f"--dns-namespace {args.dns_namespace!r}: {problem}")
        target = DnsTarget(args.dns_namespace, target.labels, target.ports)
    if args.dns_labels is not None:
        target = DnsTarget(target.namespace, args.dns_labels, target.ports)
    return target


def run(args: argparse.Namespace) -> int:
    """Lint; print the report; exit 1 when a finding is at ``--fail-on`` or worse, else 0.

    With ``--stack`` and no ``--inventory``, the inventory is derived from the stack: the
    findings that read pods hold on it, and no-default-deny looks only at the firewall's own
    namespaces (the others hold stand-ins for the peers it admits).
    """
    from podfence.reachability.lint import Severity, lint
    from podfence.reachability.lint.report import render_json, render_markdown, render_text

    ignored = _ignored(args.ignore)
    analysis = load_analysis(args)
    cluster = analysis.cluster
    derived = analysis.tiers is not None
    scope = None
    notes = []
    if derived:
        assert analysis.tiers is not None
        scope = {key.split("/", 1)[0] for key in analysis.tiers}
        scope.update(policy.namespace for policy in cluster.policies)
        notes.append(
            f"the inventory is derived from the {analysis.origin} (a pod per tier and per peer "
            "it admits): the findings that read pods hold on it, and no-default-deny looks at "
            f"the firewall's namespaces ({', '.join(sorted(scope))}) only"
        )
    report = lint(
        cluster.policies,
        cluster.inventory,
        analysis.externals,
        scope,
        _dns(args, derived),
        notes,
    ).ignoring(ignored)
    render = {"json": render_json, "markdown": render_markdown}.get(args.output, render_text)
    sys.stdout.write(render(report, analysis.origin))
    threshold = Severity(args.fail_on)
    return ExitStatus.FAILED if report.failed(threshold) else ExitStatus.SUCCESS
