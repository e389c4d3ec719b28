"""`podfence explain`: one flow in words, and its errors."""

from __future__ import annotations

import pytest
from paths import GUESTBOOK_FIXTURE as GUESTBOOK
from podfence.cli.app import main

INPUTS = [
    "--policies",
    str(GUESTBOOK / "policies.yaml"),
    "--inventory",
    str(GUESTBOOK / "inventory.yaml"),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["explain", *INPUTS, *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_explain_prints_the_verdict_and_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/api-0", "--port", "api"
    )
    assert (status, err) == (0, "")
    assert out.startswith("guestbook/ui-0 -> guestbook/api-0 on 8080/TCP: allowed\n")
    assert "    - guestbook/allow-ui-to-api ingress rule 0: from pods app=ui,tier=frontend" in out


def test_a_denied_flow_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--from",
        "guestbook/db-0",
        "--to",
        "kube-system/coredns-0",
        "--port",
        "53",
        "--protocol",
        "udp",
    )
    assert status == 0
    assert out.startswith("guestbook/db-0 -> kube-system/coredns-0 on 53/UDP: denied\n")


def test_an_external_source_is_an_address(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--from", "198.51.100.1", "--to", "guestbook/ui-1", "--port", "80")
    assert status == 0
    assert out.startswith("198.51.100.1 -> guestbook/ui-1 on 80/TCP: allowed\n")


def test_an_unknown_pod_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/apu-0", "--port", "80"
    )
    assert status == 2
    assert out == ""
    assert err == (
        "podfence: error: no pod 'guestbook/apu-0' in the inventory; did you mean guestbook/api-0, guestbook/ui-0, guestbook/ui-1?\n"
    )


def test_an_unknown_port_name_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "--from", "guestbook/ui-0", "--to", "guestbook/db-0", "--port", "pg"
    )
    assert status == 2
    assert err == "podfence: error: pod guestbook/db-0 has no port named 'pg' (it names no ports)\n"
