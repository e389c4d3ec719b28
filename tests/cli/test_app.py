"""The shared argument helpers of the `podfence` parser."""

from __future__ import annotations

import argparse

import pytest
from podfence.cli.app import add_output_argument, build_parser


def test_output_takes_the_formats_the_first_by_default_and_says_so_in_the_help() -> None:
    parser = argparse.ArgumentParser()
    add_output_argument(parser, {"table": "for people", "json": "", "csv": "every flow"})
    assert parser.parse_args([]).output == "table"
    assert parser.parse_args(["-o", "csv"]).output == "csv"
    assert parser.parse_args(["--output", "json"]).output == "json"
    (action,) = [a for a in parser._actions if a.dest == "output"]
    assert action.help == "table (for people; the default), json or csv (every flow)"
    with pytest.raises(SystemExit):
        parser.parse_args(["-o", "yaml"])


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("check", ["text", "json"]),
        ("diff", ["text", "markdown", "json"]),
        ("explain", ["text", "json"]),
        ("lint", ["text", "markdown", "json"]),
        ("matrix", ["table", "markdown", "json", "jsonl", "csv"]),
    ],
)
def test_every_analysis_command_takes_output_and_its_short_form(
    command: str, formats: list[str]
) -> None:
    subparsers = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    (action,) = [a for a in subparsers.choices[command]._actions if a.dest == "output"]
    assert action.option_strings == ["--output", "-o"]
    assert list(action.choices or ()) == formats
    assert action.default == formats[0]
