"""`podfence graph`: the stack's firewall as the engine proves it, in Mermaid or DOT."""

from __future__ import annotations

import pytest
from golden import assert_golden
from paths import REPO
from podfence.cli.app import main


@pytest.mark.parametrize(
    ("stack", "form"), [("dev", "mermaid"), ("prod", "mermaid"), ("prod", "dot")]
)
def test_graph_prints_the_golden_picture(
    capsys: pytest.CaptureFixture[str], stack: str, form: str
) -> None:
    status = main(["graph", "--stack", stack, "--project-dir", str(REPO), "--format", form])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    suffix = "mmd" if form == "mermaid" else "dot"
    assert_golden(f"graph-{stack}.{suffix}", captured.out)


def test_only_prod_denies_egress_so_only_prod_draws_dns(capsys: pytest.CaptureFixture[str]) -> None:
    main(["graph", "--stack", "dev", "--project-dir", str(REPO)])
    dev = capsys.readouterr().out
    main(["graph", "--stack", "prod", "--project-dir", str(REPO)])
    prod = capsys.readouterr().out
    assert "DNS kube-system/k8s-app=kube-dns" not in dev
    assert '["DNS kube-system/k8s-app=kube-dns"]' in prod
    assert prod.count('|"53/UDP, 53/TCP"|') == 3, "each tier reaches DNS on both protocols"


def test_with_policy_files_every_pod_is_a_node(capsys: pytest.CaptureFixture[str]) -> None:
    cookbook = REPO / "examples" / "cookbook" / "deny-external-egress"
    status = main(
        [
            "graph",
            "--policies",
            str(cookbook / "policies.yaml"),
            "--inventory",
            str(cookbook / "inventory.yaml"),
            "--format",
            "dot",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert '"default/test" -> "web/web" [label="80/TCP"];' in out
