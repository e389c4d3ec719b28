"""Shared fixtures: the repository root, and a copy of the project to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from paths import REPO


@pytest.fixture
def repo() -> Path:
    """The repository root (Pulumi.yaml, __main__.py, stacks/)."""
    return REPO


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the Pulumi project (Pulumi.yaml, __main__.py, stacks/) in a temporary folder."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", target / "Pulumi.yaml")
    shutil.copy(REPO / "__main__.py", target / "__main__.py")
    shutil.copytree(REPO / "stacks", target / "stacks")
    return target
