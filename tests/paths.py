"""Where the project under test lives, and its stacks."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STACKS = ("dev", "local", "prod", "staging")
