"""The programs the policies are tried on, each run once under mocks: the guestbook's stacks and
the shop example."""

from __future__ import annotations

import pytest
from paths import REPO
from podfence.offline.recorder import RecordedResource
from podfence.testing import run_program

#: The guestbook's stacks that deploy (local only renders YAML; it is the dev firewall).
GUESTBOOK_STACKS = ("dev", "prod", "staging")


@pytest.fixture(scope="session")
def guestbook() -> dict[str, list[RecordedResource]]:
    """The guestbook program's resources, by stack."""
    return {stack: run_program(REPO, stack).resources for stack in GUESTBOOK_STACKS}


@pytest.fixture(scope="session")
def shop() -> list[RecordedResource]:
    """The shop example's resources (its dev stack)."""
    return run_program(REPO / "examples" / "shop", "dev").resources
