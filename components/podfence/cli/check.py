"""`podfence check`: evaluate a firewall against what it must allow and deny."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from podfence.cli.app import ExitStatus, add_output_argument
from podfence.cli.inputs import add_input_arguments, load_analysis
from podfence.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `check` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="check a firewall against flows it must allow and deny; exit 1 if one fails",
        description=(
            "Evaluate the policies against an expectations file (allow: and deny: lists of "
            "flows). With --stack the file defaults to stacks/<stack>.expect.yaml and the "
            "inventory is derived from the stack."
        ),
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--expect",
        type=Path,
        default=None,
        metavar="FILE",
        help="the expectations (default with --stack: <stackConfigDir>/<stack>.expect.yaml)",
    )
    add_output_argument(parser, {"text": "", "json": ""})
    parser.set_defaults(func=run)


def _expectations_file(args: argparse.Namespace) -> Path:
    if args.expect is not None:
        return Path(args.expect)
    if not args.stack:
        raise ConfigError(
            "--policies needs --expect FILE (the flows that must be allowed and denied)"
        )
    from podfence.expectations import expectations_path
    from podfence.offline.project import find_project

    path = expectations_path(find_project(args.project_dir).stack_config_dir, args.stack)
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _paint(text: str, colour: str) -> str:
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return text
    code = {"green": "32", "red": "31"}[colour]
    return f"\033[{code}m{text}\033[0m"


def run(args: argparse.Namespace) -> int:
    """Check every expectation; print a report; exit 1 when any fails.

    A verdict that turns on the labels of a namespace missing from the inventory says so (an
    ``assumption:`` line, and ``assumptions`` in JSON), passed or failed.
    """
    from podfence.expectations import check_expectations, load_expectations
    from podfence.reachability import explain, summary

    path = _expectations_file(args)
    expectations = load_expectations(path)
    analysis = load_analysis(args)
    cluster = analysis.cluster
    outcomes = check_expectations(expectations, cluster.policies, cluster.inventory)
    failed = [o for o in outcomes if not o.passed]
    if args.output == "json":
        report = {
            "origin": analysis.origin,
            "expectations": str(path),
            "passed": len(outcomes) - len(failed),
            "failed": len(failed),
            "results": [
                {
                    "expect": o.expected,
                    "from": o.expectation.from_,
                    "to": o.expectation.to,
                    "port": o.verdict.port,
                    "protocol": o.verdict.protocol,
                    "allowed": o.allowed,
                    "passed": o.passed,
                    "reason": summary(o.verdict),
                    "assumptions": [a.describe() for a in o.verdict.assumptions()],
                }
                for o in outcomes
            ],
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"podfence check: {analysis.origin} against {path} ({len(outcomes)} expectations)")
        for outcome in outcomes:
            entry = outcome.expectation
            mark = _paint("PASS", "green") if outcome.passed else _paint("FAIL", "red")
            flow = f"{entry.from_} -> {entry.to} {outcome.verdict.port}/{outcome.verdict.protocol}"
            print(f"{mark}  {outcome.expected:<5}  {flow}: {summary(outcome.verdict)}")
            if outcome.passed:  # a failure's explanation below says it too
                for assumption in outcome.verdict.assumptions():
                    print(f"      assumption: {assumption.describe()}")
            else:
                if entry.why:
                    print(f"      expected because: {entry.why}")
                for line in explain(outcome.verdict).splitlines():
                    print(f"      {line}")
        print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return ExitStatus.FAILED if failed else ExitStatus.SUCCESS
