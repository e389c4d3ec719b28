"""Ports: numbers, names, ranges, protocols, the config shorthands and the factories."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import SpecError
from podfence.spec import Port, Protocol


def parse_error(value: Any, root: str = "") -> str:
    with pytest.raises(SpecError) as caught:
        Port.parse(value, root)
    return str(caught.value)


@pytest.mark.parametrize(
    ("shorthand", "port", "protocol", "end_port"),
    [
        (80, 80, Protocol.TCP, None),
        ("80", 80, Protocol.TCP, None),
        ("53/UDP", 53, Protocol.UDP, None),
        ("8000-8100/TCP", 8000, Protocol.TCP, 8100),
        ("8000-8100", 8000, Protocol.TCP, 8100),
        ("http", "http", Protocol.TCP, None),
        ("dns/UDP", "dns", Protocol.UDP, None),
        ("all/UDP", None, Protocol.UDP, None),
        ("all", None, Protocol.TCP, None),
        ("*/SCTP", None, Protocol.SCTP, None),
    ],
)
def test_a_config_shorthand_means_the_port_it_spells(
    shorthand: int | str, port: int | str | None, protocol: Protocol, end_port: int | None
) -> None:
    assert Port.parse(shorthand) == Port(port=port, protocol=protocol, end_port=end_port)


@pytest.mark.parametrize("shorthand", ["", " ", "/UDP"])
def test_a_shorthand_naming_no_port_is_rejected(shorthand: str) -> None:
    assert parse_error(shorthand, "ports[0]") == (
        f"ports[0]: port {shorthand!r} names no port: write a number, a name, or all (every port)"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("65535", "endPort '65535' is a string; did you mean the number 65535?"),
        (65535.0, "endPort 65535.0 is not a port number (1-65535)"),
        (True, "endPort True is not a port number (1-65535)"),
    ],
)
def test_an_end_port_that_is_not_an_integer_is_refused_not_coerced(
    value: Any, message: str
) -> None:
    assert parse_error({"port": 1, "endPort": value}) == f"endPort: {message}"


def test_the_long_form_reads_camel_case() -> None:
    assert Port.parse({"port": 8000, "endPort": 8100, "protocol": "UDP"}) == Port.udp_range(
        8000, 8100
    )


def test_the_protocol_defaults_to_tcp() -> None:
    assert Port.parse({"port": 443}).protocol is Protocol.TCP


def test_the_factories_build_what_they_say() -> None:
    assert Port.tcp(443) == Port(port=443, protocol=Protocol.TCP)
    assert Port.udp(53) == Port(port=53, protocol=Protocol.UDP)
    assert Port.sctp(9899) == Port(port=9899, protocol=Protocol.SCTP)
    assert Port.tcp("https") == Port(port="https", protocol=Protocol.TCP)
    assert Port.tcp_range(8000, 8100) == Port(port=8000, end_port=8100, protocol=Protocol.TCP)
    assert Port.udp_range(30000, 30100) == Port(port=30000, end_port=30100, protocol=Protocol.UDP)
    assert Port.named("metrics") == Port(port="metrics", protocol=Protocol.TCP)
    assert Port.named("dns", Protocol.UDP) == Port(port="dns", protocol=Protocol.UDP)
    assert Port.all() == Port(port=None, protocol=Protocol.TCP)
    assert Port.all("SCTP") == Port(port=None, protocol=Protocol.SCTP)


def test_the_factories_validate_like_config() -> None:
    with pytest.raises(SpecError, match=r"^Port\.port: port 0 is not a port number \(1-65535\)$"):
        Port.tcp(0)
    with pytest.raises(SpecError, match="endPort 80 is below port 90"):
        Port.tcp_range(90, 80)


@pytest.mark.parametrize("number", [0, 65536, -1])
def test_a_port_out_of_range_is_rejected(number: int) -> None:
    assert parse_error({"port": number}) == (f"port: port {number} is not a port number (1-65535)")


@pytest.mark.parametrize("text", ["0", "-1", "65536", "-8080"])
def test_a_string_that_reads_as_a_number_out_of_range_is_no_port_name(text: str) -> None:
    assert parse_error({"port": text}) == f"port: port {text!r} is not a port number (1-65535)"


@pytest.mark.parametrize("text", ["-1", "-8080"])
def test_a_negative_shorthand_is_no_port_name(text: str) -> None:
    assert parse_error(f"{text}/TCP") == f"port: port {text!r} is not a port number (1-65535)"


def test_a_signed_number_in_range_suggests_the_number() -> None:
    assert parse_error({"port": "+80"}) == (
        "port: port '+80' is a string of digits, which Kubernetes reads as a port name; "
        "did you mean the number 80?"
    )


def test_a_constructor_raises_one_line_naming_the_class_and_field() -> None:
    with pytest.raises(SpecError) as caught:
        Port(port=-1)
    assert str(caught.value) == "Port.port: port -1 is not a port number (1-65535)"
    with pytest.raises(SpecError) as caught:
        Port(port=90, end_port=80)
    assert str(caught.value) == "Port: endPort 80 is below port 90"


def test_the_edges_of_the_port_range_are_accepted() -> None:
    assert Port.tcp(1).port == 1
    assert Port.tcp(65535).port == 65535


def test_an_end_port_out_of_range_is_rejected() -> None:
    assert parse_error({"port": 80, "endPort": 70000}) == (
        "endPort: endPort 70000 is not a port number (1-65535)"
    )


def test_a_digit_string_port_suggests_the_number() -> None:
    assert parse_error({"port": "8080"}, "ports[0]") == (
        "ports[0].port: port '8080' is a string of digits, which Kubernetes reads as a port "
        "name; did you mean the number 8080?"
    )


def test_a_digit_string_given_to_a_factory_suggests_the_number() -> None:
    with pytest.raises(SpecError, match="did you mean the number 53"):
        Port.udp("53")


CHARACTERS = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Http", CHARACTERS),
        ("my_port", CHARACTERS),
        ("8080a!", CHARACTERS),
        ("-http", "must not begin or end with a hyphen"),
        ("http-", "must not begin or end with a hyphen"),
        ("web--api", "must not contain consecutive hyphens"),
        ("a-very-long-port-name", "must be no more than 15 characters"),
        ("", "must not be empty"),
    ],
)
def test_a_bad_port_name_is_rejected_with_the_kubernetes_rule_it_breaks(
    name: str, problem: str
) -> None:
    assert parse_error({"port": name}) == (
        f"port: port name {name!r} is not a valid port name: {problem}"
    )


def test_a_port_name_of_15_characters_with_digits_and_dashes_is_accepted() -> None:
    assert Port.named("web-8080-api-v2").port == "web-8080-api-v2"


def test_a_boolean_port_is_rejected() -> None:
    assert parse_error(True) == "(top level): port True is not a port number or name"
    assert parse_error({"port": False}) == "port: port False is not a port number or name"


def test_end_port_with_a_named_port_is_rejected() -> None:
    assert parse_error({"port": "http", "endPort": 90}) == (
        "(top level): endPort 90 needs a numeric port, not the named port 'http'"
    )


def test_end_port_without_a_port_is_rejected() -> None:
    assert parse_error({"endPort": 90}, "ports[1]") == (
        "ports[1]: endPort 90 needs a numeric port, not no port"
    )


def test_end_port_below_port_is_rejected() -> None:
    assert parse_error("9000-8000/TCP") == "(top level): endPort 8000 is below port 9000"


def test_end_port_one_below_port_is_rejected() -> None:
    assert parse_error({"port": 80, "endPort": 79}) == "(top level): endPort 79 is below port 80"


def test_end_port_equal_to_port_is_a_range_of_one() -> None:
    assert Port.tcp_range(80, 80).describe() == "80-80/TCP"


@pytest.mark.parametrize(("written", "meant"), [("tcp", "TCP"), ("udp", "UDP"), ("Sctp", "SCTP")])
def test_a_lower_case_protocol_suggests_the_upper_case_one(written: str, meant: str) -> None:
    assert parse_error({"port": 80, "protocol": written}) == (
        f'protocol: protocol {written!r} is not one of TCP, UDP, SCTP; did you mean "{meant}"?'
    )


def test_a_lower_case_protocol_in_a_shorthand_suggests_the_upper_case_one() -> None:
    assert parse_error("53/udp") == (
        "protocol: protocol 'udp' is not one of TCP, UDP, SCTP; did you mean \"UDP\"?"
    )


def test_an_unknown_protocol_is_rejected_without_a_suggestion() -> None:
    assert parse_error({"port": 80, "protocol": "ICMP"}) == (
        "protocol: protocol 'ICMP' is not one of TCP, UDP, SCTP"
    )


def test_a_misspelt_key_is_rejected() -> None:
    assert parse_error({"port": 80, "end_prot": 90}) == (
        "end_prot: unknown key; did you mean end_port?"
    )


@pytest.mark.parametrize(
    ("port", "described"),
    [
        (Port.tcp(8080), "8080/TCP"),
        (Port.tcp_range(8000, 8100), "8000-8100/TCP"),
        (Port.named("http"), "http/TCP"),
        (Port.all("UDP"), "all/UDP"),
        (Port.sctp(9899), "9899/SCTP"),
    ],
)
def test_describe_writes_the_shorthand(port: Port, described: str) -> None:
    assert port.describe() == described


@pytest.mark.parametrize("shorthand", [80, "53/UDP", "8000-8100/TCP", "http", "all/UDP"])
def test_describe_reads_back_as_the_same_port(shorthand: int | str) -> None:
    port = Port.parse(shorthand)
    assert Port.parse(port.describe()) == port
