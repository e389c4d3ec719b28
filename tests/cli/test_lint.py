"""`podfence lint`: golden outputs of the planted set, the clean stacks, exit statuses, errors."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from golden import assert_golden
from paths import REPO, STACKS
from podfence.cli import ExitStatus, main
from podfence.cli.lint import parse_labels

PLANTED = Path("tests/reachability/fixtures/lint-planted")
INPUTS = [
    "--policies",
    str(PLANTED / "policies.yaml"),
    "--inventory",
    str(PLANTED / "inventory.yaml"),
]


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(REPO)  # the origin in the heading is the paths as given
    status = main(["lint", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("output", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")]
)
def test_the_planted_set_prints_every_finding_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str, suffix: str
) -> None:
    status, out, err = run(capsys, monkeypatch, *INPUTS, "--output", output)
    assert (status, err) == (ExitStatus.FAILED, "")
    assert_golden(f"lint-planted.{suffix}", out)


def test_the_json_output_keeps_its_contract(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(capsys, monkeypatch, *INPUTS, "-o", "json")
    report = json.loads(out)
    assert (report["errors"], report["warnings"], len(report["findings"])) == (3, 8, 11)
    assert {"code", "name", "severity", "where", "policies", "rule", "why", "fix"} <= set(
        report["findings"][0]
    )
    assert [c["code"] for c in report["checks"]] == [f["code"] for f in report["findings"]]


TIERS = Path("tests/reachability/fixtures/lint-tiers")


@pytest.mark.parametrize(("output", "suffix"), [("text", "txt"), ("json", "json")])
def test_the_planted_cluster_wide_set_prints_every_finding_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str, suffix: str
) -> None:
    inputs = [
        "--policies",
        str(TIERS / "policies.yaml"),
        "--inventory",
        str(TIERS / "inventory.yaml"),
    ]
    status, out, err = run(capsys, monkeypatch, *inputs, "--output", output)
    assert (status, err) == (ExitStatus.FAILED, "")
    assert_golden(f"lint-tiers.{suffix}", out)
    if output == "json":
        report = json.loads(out)
        codes = [finding["code"] for finding in report["findings"]]
        assert codes == ["PF001", "PF002", "PF004", "PF007", "PF008"]
        assert report["findings"][0]["namespace"] is None


@pytest.mark.parametrize("stack", STACKS)
def test_every_guestbook_stack_is_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stack: str
) -> None:
    status, out, err = run(capsys, monkeypatch, "--stack", stack)
    assert (status, err) == (ExitStatus.SUCCESS, "")
    assert out.splitlines()[1].endswith(": no findings")
    assert "no-default-deny looks at the firewall's namespaces (guestbook) only" in out


def test_fail_on_error_ignores_warnings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run(capsys, monkeypatch, *INPUTS, "--fail-on", "error")[0] == ExitStatus.FAILED
    policies = tmp_path / "policies.yaml"
    policies.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: p, namespace: shop}\nspec: {podSelector: {matchLabels: {app: x}}}\n"
    )
    inventory = ["--inventory", str(PLANTED / "inventory.yaml")]
    only_warnings = ["--policies", str(policies), *inventory]
    assert run(capsys, monkeypatch, *only_warnings)[0] == ExitStatus.FAILED
    status, out, _ = run(capsys, monkeypatch, *only_warnings, "--fail-on", "error")
    assert status == ExitStatus.SUCCESS and "PF001 selects-no-pod" in out


def test_ignored_checks_by_code_or_name_are_left_out_and_counted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(
        capsys,
        monkeypatch,
        *INPUTS,
        "--ignore",
        "PF009",
        "--ignore",
        "all-namespaces-all-ports,pf003",
    )
    assert (status, err) == (ExitStatus.FAILED, "")
    assert out.splitlines()[1] == (
        "13 policies, 5 pods in 3 namespaces: 8 findings: 2 errors, 6 warnings; 3 ignored"
    )
    assert "PF009" not in out and "PF010" not in out and "PF003" not in out
    every = ",".join(f"PF{n:03}" for n in range(1, 12))
    status, out, _ = run(capsys, monkeypatch, *INPUTS, "--ignore", every, "-o", "json")
    assert status == ExitStatus.SUCCESS
    report = json.loads(out)
    assert (report["summary"], report["ignored"], report["findings"]) == (
        "no findings; 11 ignored",
        11,
        [],
    )


def test_an_unknown_check_to_ignore_is_one_line_naming_the_known_ones_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, monkeypatch, *INPUTS, "--ignore", "PF009,PF099")
    assert (status, out) == (ExitStatus.BAD_INPUT, "")
    assert err == (
        "podfence: error: --ignore 'PF099' is no check; the checks: PF001 selects-no-pod, "
        "PF002 unmatched-peer, PF003 empty-ip-block, PF004 undeclared-named-port, "
        "PF005 redundant-rule, PF006 redundant-policy, PF007 no-default-deny, "
        "PF008 dns-blocked, PF009 ingress-from-anywhere, PF010 all-namespaces-all-ports, PF011 ignored-rules\n"
    )


def test_the_dns_options_say_where_dns_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(
        capsys, monkeypatch, *INPUTS, "--dns-namespace", "dns", "--dns-labels", "app=coredns,tier=x"
    )
    assert "to the DNS pods dns/app=coredns,tier=x (dns/kube-dns)" in out


def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "policies.yaml"
    broken.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: p, namespace: shop}\nspec: {podSelector: {}, ingres: []}\n"
    )
    status, out, err = run(capsys, monkeypatch, "--policies", str(broken), *INPUTS[2:])
    assert (status, out) == (ExitStatus.BAD_INPUT, "")
    assert err.startswith("podfence: error: ") and err.count("\n") == 1 and "ingres" in err
    status, _, err = run(capsys, monkeypatch, *INPUTS, "--dns-namespace", "Kube_System")
    assert status == ExitStatus.BAD_INPUT
    assert err.startswith("podfence: error: --dns-namespace 'Kube_System': ")
    status, _, err = run(capsys, monkeypatch, "--policies", str(broken))
    assert status == ExitStatus.BAD_INPUT and "--inventory" in err


def test_a_bad_dns_label_is_a_usage_error() -> None:
    assert parse_labels("k8s-app=kube-dns,tier=dns") == (("k8s-app", "kube-dns"), ("tier", "dns"))
    for text in ("k8s-app", "-bad=x", "app=no spaces"):
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{re.escape(repr(text))}: "):
            parse_labels(text)
    with pytest.raises(SystemExit) as exit_:
        main(["lint", *INPUTS, "--dns-labels", "nope"])
    assert exit_.value.code == ExitStatus.BAD_INPUT
