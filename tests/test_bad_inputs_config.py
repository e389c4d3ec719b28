"""Every bad input of tests/bad_inputs_config.py through its real path: one line, the exact
message, exit status 2 from a command, never a traceback, nothing registered by a component."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bad_inputs_config import CASES, PATH_KINDS
from paths import REPO
from podfence import components, config, spec
from podfence.cli.app import main
from podfence.errors import SpecError
from podfence.offline.recorder import record

#: What the expressions of the "python api" and "component" cases may name.
NAMES: dict[str, Any] = {
    **{name: getattr(spec, name) for name in spec.__all__},
    **{name: getattr(components, name) for name in components.__all__},
    "FirewallConfig": config.FirewallConfig,
}


def _id(case: tuple[str, str, Any, str]) -> str:
    return f"{case[0]}: {case[1]}"


def _command(
    kind: str, value: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[list[str], dict[str, str]]:
    """The command line of a command case, and what its placeholders stand for."""
    if kind == "stack config":
        project: Path = request.getfixturevalue("project_copy")
        path = project / "stacks" / "Pulumi.case.yaml"
        path.write_text(value, encoding="utf-8")
        return ["render", "--stack", "case", "--project-dir", str(project)], {"file": str(path)}
    if kind == "expectations file":
        path = tmp_path / "case.expect.yaml"
        path.write_text(value, encoding="utf-8")
        argv = ["check", "--stack", "dev", "--project-dir", str(REPO), "--expect", str(path)]
        return argv, {"file": str(path)}
    (tmp_path / "a-file").write_text("not a directory\n", encoding="utf-8")
    places = {"repo": str(REPO), "tmp": str(tmp_path)}
    return value.format(**places).split(), places


def _fill(expected: str, places: dict[str, str]) -> str:
    for name, path in places.items():
        expected = expected.replace(f"{{{name}}}", path)
    return expected


def test_there_are_at_least_25_cases_of_every_kind_each_described_once() -> None:
    assert len(CASES) >= 25
    assert {case[0] for case in CASES} == set(PATH_KINDS)
    assert len({_id(case) for case in CASES}) == len(CASES), "descriptions are unique"


COMMANDS = [case for case in CASES if case[0] in ("stack config", "expectations file", "arguments")]


@pytest.mark.parametrize("case", COMMANDS, ids=_id)
def test_a_bad_command_input_is_one_line_with_the_exact_message_and_status_2(
    case: tuple[str, str, Any, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    kind, _, value, expected = case
    argv, places = _command(kind, value, tmp_path, request)
    try:
        status = main(argv)
    except SystemExit as usage:  # argparse refused the command line
        status = int(usage.code or 0)
        captured = capsys.readouterr()
        assert captured.err.splitlines()[-1] == f"podfence {_fill(expected, places)}"
    else:
        captured = capsys.readouterr()
        assert captured.err.splitlines() == [f"podfence: {_fill(expected, places)}"]
    assert status == 2
    assert captured.out == ""
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "python api"], ids=_id)
def test_a_bad_python_api_call_raises_one_spec_error_line(case: tuple[str, str, Any, str]) -> None:
    _, _, expression, expected = case
    with pytest.raises(SpecError) as raised:
        eval(expression, dict(NAMES))
    assert str(raised.value) == expected
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "component"], ids=_id)
def test_a_bad_component_raises_one_spec_error_line_and_registers_nothing(
    case: tuple[str, str, Any, str],
) -> None:
    _, _, expression, expected = case
    registered: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(lambda: eval(expression, dict(NAMES)), "p", "test", registered=registered)
    assert str(raised.value) == expected
    assert registered == [], "nothing half-registered"
