"""The README's examples run as tests: the component example, and the two commands' claims."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from paths import REPO
from podfence.offline.recorder import record
from sessions import run_session, sessions

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_component_example_creates_the_policies_it_describes() -> None:
    example, _ = _blocks("python")
    resources = record(lambda: exec(compile(example, "README.md", "exec"), {}), "readme", "test")
    policies = [r for r in resources if r.type == "kubernetes:networking.k8s.io/v1:NetworkPolicy"]
    names = sorted(
        f"{r.inputs['metadata']['namespace']}/{r.inputs['metadata']['name']}" for r in policies
    )
    assert names == [
        "finance/allow-dns-egress",
        "finance/allow-orders-to-ledger",
        "finance/deny-all",
        "shop/allow-dns-egress",
        "shop/allow-office",
        "shop/allow-orders-to-ledger-egress",
        "shop/allow-prometheus",
        "shop/allow-web-to-orders",
        "shop/allow-web-to-orders-egress",
        "shop/deny-all",
    ]
    (cross,) = [r for r in policies if r.inputs["metadata"]["name"] == "allow-orders-to-ledger"]
    assert cross.inputs["spec"]["ingress"][0]["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
            "podSelector": {"matchLabels": {"app": "orders"}},
        }
    ]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    test_command = "bash scripts/setup.sh --with-nca && .venv/bin/python -m pytest"
    assert f"```bash\n{test_command}\n```" in README
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().endswith(test_command)


def test_every_podfence_session_in_the_readme_prints_what_the_readme_shows() -> None:
    found = sessions(README)
    assert len(found) >= 2, "the README shows podfence sessions"
    for command, shown in found:
        run_session(command, shown)


def test_the_readmes_picture_is_what_podfence_graph_proves_for_the_dev_stack() -> None:
    pictures = _blocks("mermaid")
    assert pictures, "the README opens with the guestbook firewall's graph"
    done = subprocess.run(
        [sys.executable, "-m", "podfence", "graph", "--stack", "dev"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert pictures[0] == done.stdout, (
        "README.md's picture differs from `podfence graph --stack dev`; paste its output:\n"
        + done.stdout
    )


def test_the_testing_example_passes_on_the_guestbook(monkeypatch: pytest.MonkeyPatch) -> None:
    _, example = _blocks("python")
    monkeypatch.chdir(REPO)
    exec(compile(example, "README.md", "exec"), {})


def test_the_lint_excerpt_is_the_planted_sets_output() -> None:
    (excerpt,) = re.findall(r"```\n(PF0.*?)```", README, flags=re.DOTALL)
    golden = (REPO / "tests" / "golden" / "lint-planted.txt").read_text(encoding="utf-8")
    assert excerpt in golden
