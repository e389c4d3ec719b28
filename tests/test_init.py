"""The package itself: its version."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

import podfence
from paths import REPO


def test_the_version_comes_from_the_package_metadata_alone() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert podfence.__version__ == version("podfence") == declared["version"]
