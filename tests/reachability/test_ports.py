"""Ports: rule ports (numeric, ranges, named, protocol only) and containerPorts."""

from __future__ import annotations

import pytest
from podfence.errors import InputError
from podfence.reachability.ports import (
    ContainerPort,
    PortRule,
    parse_container_port,
    parse_port_rule,
)
from reachability.helpers import CONTEXT


def rule(raw: object) -> PortRule:
    return parse_port_rule(raw, CONTEXT, "spec.ingress[0].ports[0]")


def test_protocol_defaults_to_tcp_and_an_absent_port_means_every_port_of_it() -> None:
    any_tcp = rule({})
    assert any_tcp == PortRule("TCP", None, None)
    assert any_tcp.matches(1, "TCP")
    assert any_tcp.matches(65535, "TCP")
    assert not any_tcp.matches(80, "UDP")
    any_udp = rule({"protocol": "UDP"})
    assert any_udp.matches(53, "UDP")
    assert not any_udp.matches(53, "TCP")
    assert any_udp.describe() == "any UDP port"


def test_a_numeric_port_matches_that_port_and_protocol_only() -> None:
    web = rule({"port": 80})
    assert web.matches(80, "TCP")
    assert not web.matches(81, "TCP")
    assert not web.matches(80, "SCTP")
    assert web.describe() == "80/TCP"


def test_end_port_makes_an_inclusive_range() -> None:
    span = rule({"port": 8000, "endPort": 8100, "protocol": "SCTP"})
    assert [span.matches(p, "SCTP") for p in (7999, 8000, 8050, 8100, 8101)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert span.describe() == "8000-8100/SCTP"
    assert rule({"port": 80, "endPort": 80}).matches(80, "TCP")


def test_a_named_port_resolves_on_the_destination_with_the_same_protocol() -> None:
    named = rule({"port": "dns"})  # TCP by default
    destination = (ContainerPort(53, "UDP", "dns"), ContainerPort(5353, "TCP", "dns"))
    assert named.matches(5353, "TCP", destination)
    assert not named.matches(53, "TCP", destination)  # 53 is "dns" only on UDP
    assert not named.matches(53, "UDP", destination)  # the rule says TCP
    assert rule({"port": "dns", "protocol": "UDP"}).matches(53, "UDP", destination)
    assert not named.matches(5353, "TCP")  # no destination ports: a name matches nothing
    assert named.describe() == "port dns/TCP"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"protocol": "ICMP"}, "protocol: unsupported protocol 'ICMP' (expected TCP, UDP, SCTP)"),
        ({"protocol": "tcp"}, "protocol: unsupported protocol 'tcp'"),
        ({"port": 0}, "port: 0 is not a port number (1-65535)"),
        ({"port": 65536}, "port: 65536 is not a port number (1-65535)"),
        ({"port": True}, "port: True is not a port number"),
        ({"port": "80"}, "port: '80' is a string; write the port number unquoted: 80"),
        ({"port": "HTTP"}, "port: 'HTTP' is not a port name"),
        ({"port": "a-very-long-port-name"}, "is not a port name"),
        ({"port": "web--x"}, "is not a port name"),
        ({"endPort": 90}, "endPort: 90 needs a numeric port"),
        ({"port": "http", "endPort": 90}, "endPort: 90 cannot be used with the named port 'http'"),
        ({"port": 80, "endPort": 70}, "endPort: 70 is below port 80"),
        ({"port": 80, "endPort": 70000}, "endPort: 70000 is not a port number"),
        (["80"], "expected a port map, got ['80']"),
        (
            {"port": 80, "end_port": 90},
            "end_port: unknown field (expected protocol, port, endPort)",
        ),
    ],
)
def test_a_malformed_port_is_one_line_naming_the_field_and_value(raw: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        rule(raw)
    text = str(caught.value)
    assert text.startswith("policies.yaml: NetworkPolicy shop/test: spec.ingress[0].ports[0]")
    assert message in text


def test_a_container_port_defaults_to_tcp_and_keeps_its_name() -> None:
    parsed = parse_container_port(
        {"containerPort": 53, "name": "dns", "protocol": "UDP"}, CONTEXT, "p"
    )
    assert parsed == ContainerPort(53, "UDP", "dns")
    assert parse_container_port({"containerPort": 80}, CONTEXT, "p") == ContainerPort(80, "TCP")
    assert parsed.describe() == "53/UDP (dns)"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x"}, "p.containerPort: None is not a port number"),
        ({"containerPort": 80, "protocol": "ICMP"}, "p.protocol: unsupported protocol 'ICMP'"),
        ({"containerPort": 80, "name": "Web_UI"}, "p.name: 'Web_UI' is not a port name"),
    ],
)
def test_a_malformed_container_port_is_rejected(raw: object, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_container_port(raw, CONTEXT, "p")
