"""The worked consumer in examples/shop passes its own tests, run as its users run them.

The example is a separate Pulumi project with its own pytest config; the repository's suite does
not collect its tests (testpaths), so this runs them in their own directory. CI (.ci/run) also
runs them against podfence's built wheel in a fresh virtual environment.
"""

from __future__ import annotations

import subprocess
import sys

from paths import REPO

SHOP = REPO / "examples" / "shop"


def test_the_shop_examples_own_tests_pass() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=SHOP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_the_repositorys_suite_does_not_collect_the_examples_tests() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tests/test_examples.py" in done.stdout
    assert "examples/shop" not in done.stdout
