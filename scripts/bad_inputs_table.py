"""Print every case of tests/bad_inputs.py as a Markdown table: path, input, message.

Each case is run through the CLI (``podfence.cli.app.main``) in a temporary directory; the
message is what podfence printed for it (its paths shortened to the file's name). A case whose
message differs from the one the list expects is marked, and the script exits 1.

Usage: ``.venv/bin/python scripts/bad_inputs_table.py [> table.md]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "components")]

from bad_inputs import CASES, run  # noqa: E402

_WIDTH = 220


def _cell(text: str) -> str:
    """Text as a Markdown table cell: one line, pipes escaped, in a code span."""
    text = text.replace("\n", " ⏎ ").replace("|", "\\|")
    if not text:
        return "(empty)"
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _input(value: Any) -> str:
    if isinstance(value, dict):
        names = ", ".join(sorted(value)) or "nothing"
        return _cell(f"a directory holding {names}")
    text = str(value)
    if len(text) > _WIDTH:  # its start and its end, which is where a case differs
        size = len(text.encode())
        shown = text[: _WIDTH // 2 - 3] + " ... " + text[-(_WIDTH // 2 - 3) :]
        return _cell(shown) + (f" ({size / 1024 / 1024:.1f} MiB)" if size > 1024 * 1024 else "")
    return _cell(text)


def _message(stderr: str, expected: str, directory: Path) -> str:
    lines = [line.removeprefix("podfence: ") for line in stderr.splitlines()]
    chosen = expected if expected in lines else (lines[-1] if lines else "(nothing)")
    return chosen.replace(f"{directory}/", "")


def main() -> int:
    """Run the cases; print the table; 1 if a message differs from the expected one."""
    rows = ["| path | input | message |", "| --- | --- | --- |"]
    differ = 0
    for case in CASES:
        kind, description, value, _ = case
        with tempfile.TemporaryDirectory() as name:
            directory = Path(name)
            status, stderr, expected = run(case, directory)
            message = _message(stderr, expected, directory)
            same = message == expected.replace(f"{directory}/", "")
            wanted = 2 if expected.startswith("error: ") else 0
            mark = "" if same and status == wanted else " **(differs from the list)**"
            differ += bool(mark)
        rows.append(f"| {kind}: {description} | {_input(value)} | {_cell(message)}{mark} |")
    print("\n".join(rows))
    print(f"\n{len(CASES)} cases, {differ} differing from tests/bad_inputs.py")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
