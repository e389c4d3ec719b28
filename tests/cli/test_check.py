"""`podfence check`: a firewall against the flows it must allow and deny."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import REPO, STACKS
from podfence.cli import ExitStatus, main


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_meets_its_expectations(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "--stack", stack, "--project-dir", str(REPO)])
    out = capsys.readouterr().out
    assert status == ExitStatus.SUCCESS, out
    assert "FAIL" not in out
    assert out.splitlines()[-1].endswith(" passed, 0 failed")


def test_dev_check_names_the_rule_that_decides_each_flow(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["check", "--stack", "dev", "--project-dir", str(REPO)])
    out = capsys.readouterr().out
    assert (
        "PASS  allow  guestbook/ui -> guestbook/api 8080/TCP: allowed by "
        "guestbook/allow-ui-to-api ingress rule 0"
    ) in out
    assert "PASS  deny   10.72.10.5 -> guestbook/ui 80/TCP: ingress denied" in out


def _expect(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expect.yaml"
    path.write_text(text)
    return path


def test_a_failed_expectation_exits_1_and_explains_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = _expect(
        tmp_path,
        "allow:\n  - {from: guestbook/ui, to: guestbook/db, port: 6379, why: wrong on purpose}\n",
    )
    status = main(["check", "--stack", "dev", "--project-dir", str(REPO), "--expect", str(expect)])
    out = capsys.readouterr().out
    assert status == ExitStatus.FAILED
    assert "FAIL  allow  guestbook/ui -> guestbook/db 6379/TCP" in out
    assert "expected because: wrong on purpose" in out
    assert "guestbook/deny-all" in out
    assert out.splitlines()[-1] == "0 passed, 1 failed"


def test_json_output_reports_every_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = _expect(
        tmp_path,
        "allow:\n  - {from: guestbook/ui, to: guestbook/api, port: 8080}\n"
        "deny:\n  - {from: guestbook/ui, to: guestbook/api, port: 8080}\n",
    )
    status = main(
        [
            "check",
            "--stack",
            "dev",
            "--project-dir",
            str(REPO),
            "--expect",
            str(expect),
            "--output",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == ExitStatus.FAILED
    assert (report["passed"], report["failed"]) == (1, 1)
    assert [r["passed"] for r in report["results"]] == [True, False]
    assert report["results"][0]["allowed"] is True


def test_an_expectation_naming_an_unknown_pod_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = _expect(tmp_path, "allow:\n  - {from: guestbook/uii, to: guestbook/api, port: 8080}\n")
    status = main(["check", "--stack", "dev", "--project-dir", str(REPO), "--expect", str(expect)])
    err = capsys.readouterr().err
    assert status == ExitStatus.BAD_INPUT
    assert err.startswith("podfence: error: ") and "guestbook/uii" in err
    assert err.count("\n") == 1


def test_an_invalid_expectations_file_names_the_entry_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = _expect(tmp_path, "deny:\n  - {from: a/b, to: guestbook, port: 80}\n")
    status = main(["check", "--stack", "dev", "--project-dir", str(REPO), "--expect", str(expect)])
    err = capsys.readouterr().err
    assert status == ExitStatus.BAD_INPUT
    assert err == (
        f"podfence: error: {expect}: deny[0] (a/b -> guestbook 80): to: 'guestbook' must be "
        "namespace/pod or an IP address\n"
    )


def test_policies_without_expectations_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["check", "--policies", str(REPO / "stacks"), "--inventory", str(REPO / "stacks")]
    )
    assert status == ExitStatus.BAD_INPUT
    assert "--policies needs --expect FILE" in capsys.readouterr().err


def test_a_verdict_on_assumed_namespace_labels_says_so_passed_or_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policies = tmp_path / "policies.yaml"
    policies.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: from-production, namespace: shop}\n"
        "spec:\n  podSelector: {}\n  ingress:\n"
        "  - from: [{namespaceSelector: {matchLabels: {purpose: production}}}]\n"
    )
    pods = tmp_path / "pods.yaml"
    pods.write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {kind: Pod, metadata: {name: api, namespace: payments}}\n"
        "- {kind: Pod, metadata: {name: web, namespace: shop}}\n"
    )
    expect = _expect(tmp_path, "deny:\n  - {from: payments/api, to: shop/web, port: 80}\n")
    inputs = ["--policies", str(policies), "--inventory", str(pods), "--namespaces-from-pods"]
    status = main(["check", *inputs, "--expect", str(expect)])
    captured = capsys.readouterr()
    assert (status, captured.err) == (ExitStatus.SUCCESS, "")
    assert captured.out.splitlines()[1:3] == [
        "PASS  deny   payments/api -> shop/web 80/TCP: ingress denied: isolated by "
        "shop/from-production, no rule admits it",
        "      assumption: namespace payments is not in the inventory; its labels were taken to "
        "be only kubernetes.io/metadata.name=payments",
    ]
    main(["check", *inputs, "--expect", str(expect), "--output", "json"])
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["assumptions"] == [
        "namespace payments is not in the inventory; its labels were taken to be only "
        "kubernetes.io/metadata.name=payments"
    ]
