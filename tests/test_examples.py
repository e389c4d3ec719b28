"""The worked consumer in examples/shop passes its own tests, run as its users run them; the
cookbook's READMEs show what podfence prints.

The example is a separate Pulumi project with its own pytest config; the repository's suite does
not collect its tests (testpaths), so this runs them in their own directory. CI (.ci/run) also
runs them against podfence's built wheel in a fresh virtual environment.
"""

from __future__ import annotations

import subprocess
import sys

from paths import REPO
from sessions import run_session, sessions

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


COOKBOOK = REPO / "examples" / "cookbook"


def test_every_podfence_session_in_the_cookbooks_readmes_prints_what_they_show() -> None:
    readmes = sorted(COOKBOOK.glob("*/README.md"))
    assert readmes, "the cookbook has recipes with a README"
    shown = 0
    for readme in readmes:
        for command, output in sessions(readme.read_text(encoding="utf-8")):
            run_session(command, output)
            shown += 1
    assert shown >= 4, "the admin-tier recipe alone shows four sessions"
