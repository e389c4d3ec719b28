"""Every bad input of tests/bad_inputs.py, through the CLI: one line, the exact message, exit 2
for an error and 0 for a warning, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bad_inputs import BOMB, CASES, PATH_KINDS, arguments
from paths import REPO
from podfence.cli.app import main


def _id(case: tuple[str, str, Any, str]) -> str:
    return f"{case[0]}: {case[1]}"


def test_there_are_at_least_40_cases_each_of_a_known_path_kind() -> None:
    assert len(CASES) >= 40
    assert {case[0] for case in CASES} <= set(PATH_KINDS)
    assert len({_id(case) for case in CASES}) == len(CASES), "descriptions are unique"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_each_bad_input_is_one_line_with_the_exact_message(
    case: tuple[str, str, Any, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, expected = arguments(case, tmp_path)
    status = main(argv)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "Traceback" not in err
    if expected.startswith("error: "):
        assert status == 2
        assert lines == [f"podfence: {expected}"]
    else:
        assert status == 0
        assert f"podfence: {expected}" in lines
        assert all(line.startswith("podfence: warning: ") for line in lines), lines


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "bomb.yaml",
            BOMB,
            "document contains excessive aliasing: 5,540 of its first 5,593 nodes come from aliases",
        ),
        ("empty.yaml", "", "no Kubernetes object: the file is empty or holds only comments"),
    ],
)
def test_a_bad_file_fails_fast_in_a_real_process_with_one_line_and_status_2(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "podfence",
            "matrix",
            "--policies",
            str(path),
            "--inventory",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"podfence: error: {path}")
    assert message in done.stderr
