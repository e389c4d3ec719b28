"""Expectations: the file format, its errors, and checking outcomes against a verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import REPO, STACKS
from podfence.errors import ConfigError, SpecError
from podfence.expectations import (
    Expectation,
    ExpectationFile,
    Outcome,
    check_expectations,
    expectations_path,
    load_expectations,
)
from podfence.spec import Protocol


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dev.expect.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_expectations(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: ") :]


def test_a_stacks_expectations_live_beside_its_stack_file() -> None:
    assert expectations_path(Path("stacks"), "prod") == Path("stacks/prod.expect.yaml")


@pytest.mark.parametrize("stack", STACKS)
def test_every_stacks_expectations_file_is_valid(stack: str) -> None:
    expectations = load_expectations(expectations_path(REPO / "stacks", stack))
    assert expectations.allow
    assert expectations.deny


def test_an_entry_reads_from_to_port_and_protocol_defaulting_to_tcp(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "allow:\n"
        "  - {from: guestbook/ui, to: guestbook/api, port: 8080, why: allow-ui-to-api}\n"
        "deny:\n"
        "  - {from: 10.72.10.5, to: guestbook/ui, port: http}\n"
        "  - {from: guestbook/ui, to: kube-system/kube-dns, port: 53, protocol: UDP}\n",
    )
    expectations = load_expectations(path)
    assert expectations.allow == (
        Expectation.parse(
            {"from": "guestbook/ui", "to": "guestbook/api", "port": 8080, "why": "allow-ui-to-api"}
        ),
    )
    first, second = expectations.deny
    assert (first.from_, first.to, first.port, first.protocol) == (
        "10.72.10.5",
        "guestbook/ui",
        "http",
        Protocol.TCP,
    )
    assert second.protocol is Protocol.UDP


def test_describe_reads_as_a_flow() -> None:
    entry = Expectation.parse({"from": "guestbook/ui", "to": "guestbook/api", "port": 8080})
    assert entry.describe() == "guestbook/ui -> guestbook/api 8080/TCP"
    dns = Expectation.parse(
        {"from": "10.0.0.1", "to": "kube-system/dns", "port": "dns", "protocol": "UDP"}
    )
    assert dns.describe() == "10.0.0.1 -> kube-system/dns dns/UDP"


@pytest.mark.parametrize("to", ["guestbook", "guestbook/ui/x", "/ui", "guestbook/"])
def test_a_destination_that_is_not_namespace_slash_pod_is_rejected(to: str) -> None:
    with pytest.raises(SpecError) as caught:
        Expectation.parse({"from": "a/b", "to": to, "port": 80})
    assert str(caught.value) == f"to: to {to!r} must be namespace/pod"


def test_a_bad_entry_is_reported_with_the_file_and_its_index(tmp_path: Path) -> None:
    text = "allow:\n  - {from: a/b, to: c/d, port: 80}\ndeny:\n  - {from: a/b, to: c, port: 80}\n"
    assert load_error(tmp_path, text) == "deny[0].to: to 'c' must be namespace/pod"


def test_a_misspelt_key_in_an_entry_is_rejected(tmp_path: Path) -> None:
    text = "allow:\n  - {from: a/b, to: c/d, port: 80, proto: UDP}\n"
    assert (
        load_error(tmp_path, text) == "allow[0].proto: Extra inputs are not permitted (got 'UDP')"
    )


def test_an_entry_without_a_port_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "allow:\n  - {from: a/b, to: c/d}\n") == (
        "allow[0].port: Field required"
    )


def test_a_file_without_expectations_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "") == "no expectations: list flows under allow: and deny:"
    assert load_error(tmp_path, "allow: []\ndeny: []\n") == (
        "no expectations: list flows under allow: and deny:"
    )


def test_a_file_that_is_not_yaml_is_rejected_in_one_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, "allow: [\n")
    assert message.startswith("invalid YAML: ")
    assert "\n" not in message


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "- 1\n").startswith("(top level): ")


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.expect.yaml"
    with pytest.raises(ConfigError) as caught:
        load_expectations(path)
    assert str(caught.value) == f"{path}: cannot read expectations: No such file or directory"


def test_check_evaluates_allow_then_deny_and_says_which_passed() -> None:
    expectations = ExpectationFile.parse(
        {
            "deny": [{"from": "a/x", "to": "b/y", "port": 81}],
            "allow": [
                {"from": "a/x", "to": "b/y", "port": 80},
                {"from": "a/x", "to": "b/y", "port": 82},
            ],
        }
    )
    allowed_ports = {80, 81}
    asked: list[int | str] = []

    def evaluate(entry: Expectation) -> tuple[bool, str]:
        asked.append(entry.port)
        return entry.port in allowed_ports, f"verdict for {entry.port}"

    outcomes = check_expectations(expectations, evaluate)
    assert asked == [80, 82, 81]
    assert [(o.expected, o.allowed, o.passed) for o in outcomes] == [
        ("allow", True, True),
        ("allow", False, False),
        ("deny", True, False),
    ]
    assert outcomes[0] == Outcome(expectations.allow[0], "allow", True, "verdict for 80")


def test_a_denied_flow_expected_denied_passes() -> None:
    entry = Expectation.parse({"from": "a/x", "to": "b/y", "port": 80})
    assert Outcome(entry, "deny", False, "no policy admits it").passed
    assert not Outcome(entry, "deny", True, "allow-all").passed
