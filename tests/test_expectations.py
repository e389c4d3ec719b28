"""Expectations: the file format, its errors, and checking outcomes against a verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import REPO, STACKS
from podfence.errors import ConfigError, InputError, SpecError
from podfence.expectations import (
    Expectation,
    ExpectationFile,
    Outcome,
    check_expectations,
    expectations_path,
    load_expectations,
)
from podfence.reachability import Cluster, Pod, Traffic, evaluate, load_cluster, traffic
from podfence.reachability.verdict import NOT_ISOLATED, DirectionVerdict, Verdict
from podfence.spec import Protocol
from reachability.helpers import pod, policy


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


def test_an_entry_reads_from_to_port_and_protocol_leaving_an_absent_protocol_to_the_port(
    tmp_path: Path,
) -> None:
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
        None,
    ), "no protocol: TCP for a number, the named port's own protocol for a name"
    assert second.protocol is Protocol.UDP
    assert expectations.allow[0].protocol is None


def test_describe_reads_as_a_flow() -> None:
    entry = Expectation.parse({"from": "guestbook/ui", "to": "guestbook/api", "port": 8080})
    assert entry.describe() == "guestbook/ui -> guestbook/api 8080/TCP"
    dns = Expectation.parse(
        {"from": "10.0.0.1", "to": "kube-system/dns", "port": "dns", "protocol": "UDP"}
    )
    assert dns.describe() == "10.0.0.1 -> kube-system/dns dns/UDP"
    named = Expectation.parse({"from": "a/b", "to": "kube-system/dns", "port": "dns"})
    assert named.describe() == "a/b -> kube-system/dns dns", "the name's protocol is the port's"
    udp = Expectation.parse({"from": "a/b", "to": "8.8.8.8", "port": 53, "protocol": "UDP"})
    assert udp.describe() == "a/b -> 8.8.8.8 53/UDP"


@pytest.mark.parametrize("to", ["8.8.8.8", "2001:db8::1", "guestbook/ui"])
def test_a_destination_may_be_a_pod_or_an_ip_address(to: str) -> None:
    assert Expectation.parse({"from": "a/b", "to": to, "port": 443}).to == to
    assert Expectation.parse({"from": to, "to": "a/b", "port": 443}).from_ == to


@pytest.mark.parametrize("to", ["guestbook", "guestbook/ui/x", "/ui", "guestbook/"])
def test_a_destination_that_is_not_namespace_slash_pod_is_rejected(to: str) -> None:
    with pytest.raises(SpecError) as caught:
        Expectation.parse({"from": "a/b", "to": to, "port": 80})
    assert str(caught.value) == f"to: {to!r} must be namespace/pod or an IP address"


def test_a_bad_entry_is_reported_with_the_file_its_index_and_the_flow(tmp_path: Path) -> None:
    text = "allow:\n  - {from: a/b, to: c/d, port: 80}\ndeny:\n  - {from: a/b, to: c, port: 80}\n"
    assert load_error(tmp_path, text) == (
        "deny[0] (a/b -> c 80): to: 'c' must be namespace/pod or an IP address"
    )


def test_a_bad_source_names_the_entry_with_its_protocol(tmp_path: Path) -> None:
    text = "deny:\n  - {from: ui, to: guestbook/api, port: 53, protocol: UDP}\n"
    assert load_error(tmp_path, text) == (
        "deny[0] (ui -> guestbook/api 53/UDP): from: 'ui' must be namespace/pod or an IP address"
    )


def test_a_misspelt_key_in_an_entry_is_rejected_with_the_nearest_key(tmp_path: Path) -> None:
    text = "allow:\n  - {from: a/b, to: c/d, port: 80, proto: UDP}\n"
    assert load_error(tmp_path, text) == (
        "allow[0] (a/b -> c/d 80): proto: unknown key; did you mean protocol?"
    )


def test_a_misspelt_list_is_rejected_with_the_nearest_key(tmp_path: Path) -> None:
    text = (
        "allow:\n  - {from: a/b, to: c/d, port: 80}\ndenny:\n  - {from: a/b, to: c/d, port: 81}\n"
    )
    assert load_error(tmp_path, text) == "denny: unknown key; did you mean deny?"


def test_a_key_given_twice_is_rejected_with_both_lines(tmp_path: Path) -> None:
    text = (
        "allow:\n  - {from: a/b, to: c/d, port: 80}\nallow:\n  - {from: a/b, to: c/d, port: 81}\n"
    )
    assert load_error(tmp_path, text) == (
        "line 3: duplicate key 'allow' (first on line 1): YAML keeps only the last one; merge "
        "them or remove one"
    )


@pytest.mark.parametrize("port", ["-1", "0", "'-1'"])
def test_a_port_that_is_no_port_number_says_so(tmp_path: Path, port: str) -> None:
    text = f"allow:\n  - {{from: a/b, to: c/d, port: {port}}}\n"
    shown = port.strip("'")
    value = repr(shown) if port.startswith("'") else shown
    assert load_error(tmp_path, text) == (
        f"allow[0] (a/b -> c/d {shown}): port: port {value} is not a port number (1-65535)"
    )


def test_an_entry_without_a_port_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "allow:\n  - {from: a/b, to: c/d}\n") == (
        "allow[0] (a/b -> c/d ?): port: Field required"
    )


def test_a_file_without_expectations_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "") == "no expectations: list flows under allow: and deny:"
    assert load_error(tmp_path, "allow: []\ndeny: []\n") == (
        "no expectations: list flows under allow: and deny:"
    )


def test_a_file_that_is_not_yaml_is_rejected_in_one_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, "allow: [\n")
    assert message.startswith("line 2: ")
    assert "\n" not in message


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    assert load_error(tmp_path, "- 1\n").startswith("(top level): ")


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.expect.yaml"
    with pytest.raises(ConfigError) as caught:
        load_expectations(path)
    assert str(caught.value) == f"{path}: cannot read expectations: No such file or directory"


def small_cluster() -> Cluster:
    """b/y accepts 80, 81 and dns (53/UDP); a/x (10.0.0.1) may leave the cluster on 443 only."""
    return load_cluster(
        [
            pod("a/x", "10.0.0.1"),
            pod("b/y", "10.0.0.2", [{"containerPort": 53, "name": "dns", "protocol": "UDP"}]),
            policy(
                "b/web",
                {
                    "podSelector": {},
                    "ingress": [
                        {"ports": [{"port": 80}, {"port": 81}, {"port": "dns", "protocol": "UDP"}]}
                    ],
                },
            ),
            policy(
                "a/out",
                {
                    "podSelector": {},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [{"namespaceSelector": {}}]},
                        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]},
                    ],
                },
            ),
        ]
    )


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
    cluster = small_cluster()
    outcomes = check_expectations(expectations, cluster.policies, cluster.inventory)
    assert [o.verdict.port for o in outcomes] == [80, 82, 81], "allow first, then deny"
    assert [(o.expected, o.index, o.allowed, o.passed) for o in outcomes] == [
        ("allow", 0, True, True),
        ("allow", 1, False, False),
        ("deny", 0, True, False),
    ]
    flow = traffic(cluster.inventory, "a/x", "b/y", 80)
    expected = evaluate(cluster.policies, cluster.inventory, flow)
    assert outcomes[0] == Outcome(expectations.allow[0], "allow", expected, 0), (
        "each outcome carries the engine's verdict"
    )


def test_check_evaluates_addresses_and_named_ports_with_their_own_protocol() -> None:
    expectations = ExpectationFile.parse(
        {
            "allow": [
                {"from": "a/x", "to": "8.8.8.8", "port": 443},
                {"from": "10.0.0.1", "to": "b/y", "port": "dns"},
            ],
            "deny": [{"from": "a/x", "to": "8.8.8.8", "port": 53, "protocol": "UDP"}],
        }
    )
    cluster = small_cluster()
    outcomes = check_expectations(expectations, cluster.policies, cluster.inventory)
    assert all(o.passed for o in outcomes), [o.verdict.traffic.describe() for o in outcomes]
    to_address, by_ip, dns_out = (o.verdict for o in outcomes)
    assert to_address.ingress is None, "an address outside the cluster: egress only"
    assert (by_ip.source, by_ip.port, by_ip.protocol) == ("a/x", 53, "UDP"), (
        "a pod's IP is the pod; the named port brings its protocol"
    )
    assert dns_out.protocol == "UDP" and not dns_out.allowed


def test_check_names_the_entry_whose_flow_cannot_be_evaluated() -> None:
    cluster = small_cluster()
    unknown = ExpectationFile.parse(
        {
            "allow": [
                {"from": "a/x", "to": "b/y", "port": 80},
                {"from": "a/x", "to": "b/z", "port": 80},
            ]
        }
    )
    with pytest.raises(InputError) as caught:
        check_expectations(unknown, cluster.policies, cluster.inventory)
    assert str(caught.value) == (
        "allow[1] (a/x -> b/z 80/TCP): to no pod 'b/z' in the inventory; did you mean b/y?"
    )
    unnamed = ExpectationFile.parse({"deny": [{"from": "a/x", "to": "b/y", "port": "http"}]})
    with pytest.raises(InputError) as caught:
        check_expectations(unnamed, cluster.policies, cluster.inventory)
    assert str(caught.value) == (
        "deny[0] (a/x -> b/y http): port: pod b/y has no port named 'http' (it names: dns)"
    )


def verdict_with(ingress: DirectionVerdict) -> Verdict:
    flow = Traffic(Pod("a", "x", {}), Pod("b", "y", {}), 80)
    return Verdict(flow, ingress, NOT_ISOLATED)


def test_a_denied_flow_expected_denied_passes() -> None:
    entry = Expectation.parse({"from": "a/x", "to": "b/y", "port": 80})
    denied = verdict_with(DirectionVerdict(isolated=True))
    assert not Outcome(entry, "deny", denied, 0).allowed
    assert Outcome(entry, "deny", denied, 0).passed
    assert not Outcome(entry, "allow", denied, 0).passed
    allowed = verdict_with(NOT_ISOLATED)
    assert Outcome(entry, "deny", allowed, 0).allowed
    assert not Outcome(entry, "deny", allowed, 0).passed
    assert Outcome(entry, "allow", allowed, 0).passed
