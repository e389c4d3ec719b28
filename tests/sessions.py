"""The ``$ podfence ...`` sessions a Markdown file shows, and running one as the file claims."""

from __future__ import annotations

import shlex
import subprocess
import sys

from paths import REPO

__all__ = ["run", "run_session", "sessions"]


def sessions(text: str) -> list[tuple[str, str]]:
    """Every ``$ podfence ...`` command in the code blocks of ``text``, with the output shown.

    A command may continue over lines ending in a backslash; the output is the rest of its
    block.
    """
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    found = []
    for lines in blocks:
        if not lines or not lines[0].startswith("$ podfence "):
            continue
        command, rest = lines[0][2:], lines[1:]
        while command.endswith("\\"):
            command = command[:-1] + " " + rest.pop(0).strip()
        found.append((command, "\n".join(rest) + "\n"))
    return found


def run(command: str) -> subprocess.CompletedProcess[str]:
    """``command`` (``podfence ...``), run from the repository's root."""
    return subprocess.run(
        [sys.executable, "-m", "podfence", *shlex.split(command)[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def run_session(command: str, shown: str) -> None:
    """Run ``command`` from the repository's root; assert it succeeds and prints ``shown``."""
    done = run(command)
    assert done.returncode == 0, f"{command}\n{done.stderr}"
    assert done.stdout == shown, f"{command} prints:\n{done.stdout}"
