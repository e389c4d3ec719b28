"""Where the project under test lives, and its stacks."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STACKS = ("dev", "local", "prod", "staging")
#: The guestbook as plain Kubernetes YAML (policies.yaml, inventory.yaml), for the engine's tests.
GUESTBOOK_FIXTURE = REPO / "tests" / "reachability" / "fixtures" / "guestbook"
