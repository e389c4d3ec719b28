"""The README's examples run as tests: the component example, and the two commands' claims."""

from __future__ import annotations

import re

from paths import REPO
from podfence.offline.recorder import record

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_component_example_creates_the_policies_it_describes() -> None:
    (example,) = _blocks("python")
    resources = record(lambda: exec(compile(example, "README.md", "exec"), {}), "readme", "test")
    names = sorted(
        f"{r.inputs['metadata']['namespace']}/{r.inputs['metadata']['name']}"
        for r in resources
        if r.custom
    )
    assert names == [
        "finance/allow-orders-to-ledger",
        "shop/allow-dns-egress",
        "shop/allow-office",
        "shop/allow-orders-to-ledger-egress",
        "shop/allow-prometheus",
        "shop/allow-web-to-orders",
        "shop/allow-web-to-orders-egress",
        "shop/deny-all",
    ]
    (cross,) = [r for r in resources if r.custom and r.inputs["metadata"]["namespace"] == "finance"]
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
