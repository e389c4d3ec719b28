"""Argument parsing and the one top-level error handler of the `podfence` command."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from enum import IntEnum

from podfence.errors import PodfenceError

__all__ = ["ExitStatus", "add_output_argument", "build_parser", "main"]


class ExitStatus(IntEnum):
    """What `podfence` exits with."""

    SUCCESS = 0
    #: `check` found a failed expectation; `diff` found differences (like diff(1)); `lint`
    #: found problems.
    FAILED = 1
    #: Bad input: usage, configuration, a malformed policy or inventory.
    BAD_INPUT = 2
    #: A bug in podfence: rerun with --debug and report the traceback.
    INTERNAL_ERROR = 3
    #: Interrupted with Ctrl-C.
    INTERRUPTED = 130


def add_output_argument(parser: argparse.ArgumentParser, formats: dict[str, str]) -> None:
    """Add ``--output``/``-o`` to ``parser``: one of ``formats``, the first the default.

    Args:
        parser: a subcommand's parser.
        formats: each format's name and what it is, for the help ("" to say nothing).
    """
    default = next(iter(formats))
    parts = []
    for name, what in formats.items():
        notes = [note for note in (what, "the default" if name == default else "") if note]
        parts.append(f"{name} ({'; '.join(notes)})" if notes else name)
    parser.add_argument(
        "--output",
        "-o",
        choices=list(formats),
        default=default,
        help=parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand registered."""
    from podfence.cli import check, diff, explain, graph, lint, matrix, render

    parser = argparse.ArgumentParser(
        prog="podfence",
        description="Render Kubernetes NetworkPolicies from a podfence stack and prove what they allow.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when something goes wrong"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (render, matrix, explain, check, diff, graph, lint):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `podfence` with ``argv`` (default: sys.argv[1:]) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PodfenceError as error:
        if args.debug:
            traceback.print_exc()
        print(f"podfence: error: {error}", file=sys.stderr)
        return ExitStatus.BAD_INPUT
    except KeyboardInterrupt:
        print("podfence: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        # `podfence matrix ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return ExitStatus.SUCCESS
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"podfence: internal error: {type(error).__name__}: {error} "
                "(rerun with --debug for the traceback, and please report it)",
                file=sys.stderr,
            )
        return ExitStatus.INTERNAL_ERROR


def entry_point() -> None:  # pragma: no cover - thin wrapper used by `python -m podfence`
    sys.exit(main())
