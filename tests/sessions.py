"""``$ podfence ...`` sessions shown in Markdown, and running them, for the README tests."""

from __future__ import annotations

import shlex
import subprocess
import sys

from paths import REPO

__all__ = ["run", "sessions"]


def sessions(text: str) -> list[tuple[str, str]]:
    """Every ``$ podfence ...`` command in the code blocks of ``text``, with the output shown."""
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
