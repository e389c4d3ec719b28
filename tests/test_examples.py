"""The examples: the worked consumer in examples/shop passes its own tests, run as its users
run them, and each cookbook recipe shows what podfence prints for it.

examples/shop is a separate Pulumi project with its own pytest config; the repository's suite does
not collect its tests (testpaths), so this runs them in their own directory. CI (.ci/run) also
runs them against podfence's built wheel in a fresh virtual environment.
"""

from __future__ import annotations

import re
import subprocess
import sys

import podfence.spec
import yaml
from k8s_schema import assert_valid_manifest
from paths import REPO
from podfence.config import FirewallConfig
from podfence.manifests import ip_block_allow_policies
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
    # The default discovery (testpaths, from the repository's root), looking only at this file
    # and the shop's test files: importing the whole suite would only make it slower.
    files = ["test_examples.py", *sorted(p.name for p in (SHOP / "tests").glob("test_*.py"))]
    assert len(files) > 1, "the shop has test files"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            f"python_files={' '.join(files)}",
        ],
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


PUBLIC_INTERNET = REPO / "examples" / "cookbook" / "public-internet-egress"


def test_the_public_internet_cookbooks_config_python_and_yaml_are_one_rule() -> None:
    readme = (PUBLIC_INTERNET / "README.md").read_text(encoding="utf-8")
    (config,) = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (python,) = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    firewall = FirewallConfig.parse(yaml.safe_load(config)["firewall"], "firewall")
    (from_config,) = firewall.ip_block_allows
    from_python = eval(python, dict(vars(podfence.spec)))
    assert from_python == from_config
    (manifest,) = ip_block_allow_policies(from_config)
    (policy,) = yaml.safe_load_all((PUBLIC_INTERNET / "policies.yaml").read_text(encoding="utf-8"))
    assert policy["spec"]["egress"][1] == manifest["spec"]["egress"][0]
    assert_valid_manifest(policy)
