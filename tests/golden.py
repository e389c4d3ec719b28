"""Golden files: what the commands print, pinned and reviewed like code.

Set PODFENCE_UPDATE_GOLDEN=1 to rewrite them from the current output, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/golden/<name>; rewrite it when PODFENCE_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("PODFENCE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with PODFENCE_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"output differs from {path} (rerun with PODFENCE_UPDATE_GOLDEN=1 and review the diff)"
    )
