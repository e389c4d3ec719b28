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
        ({"protocol": "ICMP"}, "protocol: 'ICMP': must be one of TCP, UDP, SCTP"),
        ({"protocol": "tcp"}, "protocol: 'tcp': must be one of TCP, UDP, SCTP"),
        ({"port": 0}, "port: 0: must be between 1 and 65535, inclusive"),
        ({"port": 65536}, "port: 65536: must be between 1 and 65535, inclusive"),
        ({"port": True}, "port: True: must be a port number (an integer)"),
        ({"port": 80.0}, "port: 80.0: must be a port number (an integer)"),
        ({"port": "80"}, "port: '80' is a string; write the port number unquoted: 80"),
        (
            {"port": "HTTP"},
            "port: port name 'HTTP': must contain only alpha-numeric characters (a-z, 0-9), "
            "and hyphens (-)",
        ),
        (
            {"port": "a-very-long-port-name"},
            "port: port name 'a-very-long-port-name': must be no more than 15 characters",
        ),
        ({"port": "web--x"}, "port: port name 'web--x': must not contain consecutive hyphens"),
        ({"port": "-web"}, "port: port name '-web': must not begin or end with a hyphen"),
        ({"port": "8o8o-"}, "port: port name '8o8o-': must not begin or end with a hyphen"),
        (
            {"endPort": 90},
            "endPort: 90: may not be specified when `port` is not specified",
        ),
        (
            {"port": "http", "endPort": 90},
            "endPort: 90: may not be specified when `port` is non-numeric",
        ),
        ({"port": 80, "endPort": 70}, "endPort: 70: must be greater than or equal to `port`"),
        ({"port": 80, "endPort": 70000}, "endPort: 70000: must be between 1 and 65535, inclusive"),
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
    assert str(caught.value) == (
        f"policies.yaml: NetworkPolicy shop/test: spec.ingress[0].ports[0].{message}"
        if not message.startswith("expected")
        else f"policies.yaml: NetworkPolicy shop/test: spec.ingress[0].ports[0]: {message}"
    )


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
        ({"name": "x"}, "p.containerPort: None: must be a port number (an integer)"),
        (
            {"containerPort": 80, "protocol": "ICMP"},
            "p.protocol: 'ICMP': must be one of TCP, UDP, SCTP",
        ),
        (
            {"containerPort": 80, "name": "Web_UI"},
            "p.name: port name 'Web_UI': must contain only alpha-numeric characters (a-z, 0-9), "
            "and hyphens (-)",
        ),
        (
            {"containerPort": 80, "name": "1234"},
            "p.name: port name '1234': must contain at least one letter (a-z)",
        ),
        ({"containerPort": 80, "name": 8080}, "p.name: 8080 is not a port name (a string)"),
    ],
)
def test_a_malformed_container_port_is_rejected(raw: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_container_port(raw, CONTEXT, "p")
    assert str(caught.value) == f"policies.yaml: NetworkPolicy shop/test: {message}"
