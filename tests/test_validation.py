"""The API server's rules for names, labels, ports and CIDRs: what each accepts, and the one line
that names the rule a value breaks."""

from __future__ import annotations

import ipaddress

import pytest
from podfence.validation import (
    cidr_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    end_port_problem,
    except_problem,
    label_key_problem,
    label_value_problem,
    parse_cidr,
    policy_types_problem,
    port_name_problem,
    port_number_problem,
    protocol_problem,
    qualified_name_problem,
)

LABEL_CHARS = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
DNS_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
DNS_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)


@pytest.mark.parametrize(
    "value",
    ["app", "App_1", "a.b-c", "x", "9", "example.com/app", "kubernetes.io/metadata.name", "a" * 63],
)
def test_a_qualified_name_is_an_optional_subdomain_prefix_and_a_name_part(value: str) -> None:
    assert qualified_name_problem(value) is None
    assert label_key_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "name part must be non-empty"),
        ("-app", f"name part {LABEL_CHARS}"),
        ("app-", f"name part {LABEL_CHARS}"),
        ("guestbook db", f"name part {LABEL_CHARS}"),
        ("/app", "prefix part must be non-empty"),
        ("example.com/", "name part must be non-empty"),
        (
            "a/b/c",
            "must be a name part with an optional DNS subdomain prefix and one '/' (e.g. "
            "'example.com/MyName')",
        ),
        ("Example.com/app", f"prefix part {DNS_SUBDOMAIN}"),
        ("a" * 64, "name part must be no more than 63 characters"),
        ("x." * 127 + "x/app", "prefix part must be no more than 253 characters"),
        ("app\n", f"name part {LABEL_CHARS}"),
    ],
)
def test_a_bad_qualified_name_names_the_part_and_the_rule(value: str, problem: str) -> None:
    assert qualified_name_problem(value) == problem


@pytest.mark.parametrize("value", ["", "web", "Guest_Book", "1.2.3", "a" * 63])
def test_a_label_value_is_empty_or_a_name_part(value: str) -> None:
    assert label_value_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("guestbook db", f"must be empty or {LABEL_CHARS.removeprefix('must ')}"),
        ("-web", f"must be empty or {LABEL_CHARS.removeprefix('must ')}"),
        ("a/b", f"must be empty or {LABEL_CHARS.removeprefix('must ')}"),
        ("a" * 64, "must be no more than 63 characters"),
    ],
)
def test_a_bad_label_value_names_the_rule(value: str, problem: str) -> None:
    assert label_value_problem(value) == problem


@pytest.mark.parametrize("value", ["guestbook", "kube-system", "a", "0", "a" * 63])
def test_a_dns1123_label_is_lowercase_alphanumerics_and_hyphens(value: str) -> None:
    assert dns1123_label_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Guest_Book", DNS_LABEL),
        ("guestbook db", DNS_LABEL),
        ("-guestbook", DNS_LABEL),
        ("", DNS_LABEL),
        ("guest.book", "must not contain dots"),
        ("a" * 64, "must be no more than 63 characters"),
    ],
)
def test_a_bad_dns1123_label_names_the_rule(value: str, problem: str) -> None:
    assert dns1123_label_problem(value) == problem


@pytest.mark.parametrize("value", ["allow-api", "web.v1", "a", "a" * 253])
def test_a_dns1123_subdomain_is_labels_joined_by_dots(value: str) -> None:
    assert dns1123_subdomain_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Allow_API", DNS_SUBDOMAIN),
        ("guestbook db", DNS_SUBDOMAIN),
        ("web..v1", DNS_SUBDOMAIN),
        ("web.", DNS_SUBDOMAIN),
        ("a" * 254, "must be no more than 253 characters"),
    ],
)
def test_a_bad_dns1123_subdomain_names_the_rule(value: str, problem: str) -> None:
    assert dns1123_subdomain_problem(value) == problem


@pytest.mark.parametrize("value", ["http", "metrics", "web-1", "h2c", "a" * 15, "8080-tcp"])
def test_a_port_name_is_an_iana_service_name(value: str) -> None:
    assert port_name_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("a" * 16, "must be no more than 15 characters"),
        ("HTTP", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        ("web_ui", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        ("", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        ("8080", "must contain at least one letter (a-z)"),
        ("web--ui", "must not contain consecutive hyphens"),
        ("-web", "must not begin or end with a hyphen"),
        ("web-", "must not begin or end with a hyphen"),
    ],
)
def test_a_bad_port_name_names_the_rule(value: str, problem: str) -> None:
    assert port_name_problem(value) == problem


def test_port_numbers_end_ports_and_protocols_are_checked_as_the_api_server_does() -> None:
    assert [port_number_problem(p) for p in (1, 80, 65535)] == [None, None, None]
    assert port_number_problem(0) == "must be between 1 and 65535, inclusive"
    assert port_number_problem(65536) == "must be between 1 and 65535, inclusive"
    for not_a_number in (True, "80", 80.0, None):
        assert port_number_problem(not_a_number) == "must be a port number (an integer)"
    assert end_port_problem(8000, 8100) is None
    assert end_port_problem(8000, 8000) is None
    assert end_port_problem(8000, 7999) == "must be greater than or equal to `port`"
    assert end_port_problem("http", 90) == "may not be specified when `port` is non-numeric"
    assert end_port_problem(None, 90) == "may not be specified when `port` is not specified"
    assert [protocol_problem(p) for p in ("TCP", "UDP", "SCTP")] == [None, None, None]
    for bad in ("tcp", "ICMP", "", None, 6):
        assert protocol_problem(bad) == "must be one of TCP, UDP, SCTP"


def test_policy_types_are_at_most_two_of_ingress_and_egress() -> None:
    assert policy_types_problem(["Ingress"]) is None
    assert policy_types_problem(["Egress", "Ingress"]) is None
    assert policy_types_problem(["Ingress", "Ingress"]) is None, "the API server allows it"
    assert policy_types_problem(["Ingress", "egress"]) == (1, "must be one of Ingress, Egress")
    assert policy_types_problem([None]) == (0, "must be one of Ingress, Egress")
    assert policy_types_problem(["Ingress", "Egress", "Ingress"]) == (
        -1,
        "may not specify more than two policyTypes",
    )


def test_a_cidr_has_a_decimal_prefix_and_may_have_host_bits() -> None:
    assert parse_cidr("10.1.2.3/8") == ipaddress.ip_network("10.0.0.0/8")
    assert parse_cidr("2001:db8::1/32") == ipaddress.ip_network("2001:db8::/32")
    assert cidr_problem("0.0.0.0/0") is None
    invalid = "must be a valid CIDR (e.g. 10.0.0.0/8 or 2001:db8::/32)"
    for bad in ("10.0.0.0/255.0.0.0", "10.0.0.300/8", "10.0.0.0/33", "/8", "fe80::1%eth0/64"):
        assert cidr_problem(bad) == invalid, bad
    assert cidr_problem("10.0.0.1") == (
        "must be a CIDR: the mask is missing (did you mean '10.0.0.1/32'?)"
    )
    assert cidr_problem("fd00::1") == (
        "must be a CIDR: the mask is missing (did you mean 'fd00::1/128'?)"
    )


def test_an_except_is_strictly_inside_its_cidr_and_of_its_family() -> None:
    cidr = ipaddress.ip_network("10.0.0.0/8")
    assert except_problem(ipaddress.ip_network("10.1.0.0/16"), cidr) is None
    assert except_problem(ipaddress.ip_network("10.0.0.0/8"), cidr) == (
        "must be a strict subset of cidr 10.0.0.0/8"
    )
    assert except_problem(ipaddress.ip_network("192.168.0.0/16"), cidr) == (
        "must be a strict subset of cidr 10.0.0.0/8"
    )
    assert except_problem(ipaddress.ip_network("fd00::/8"), cidr) == (
        "must be IPv4 like cidr 10.0.0.0/8, not IPv6"
    )


def test_a_problem_never_echoes_the_value() -> None:
    huge = "9" * 1_000_000
    assert cidr_problem(huge) == "must be a valid CIDR (e.g. 10.0.0.0/8 or 2001:db8::/32)"
    assert port_name_problem(huge) == "must be no more than 15 characters"
    assert qualified_name_problem(huge) == "name part must be no more than 63 characters"
    assert all(
        len(problem or "") < 200
        for problem in (label_value_problem(huge), dns1123_subdomain_problem(huge))
    )
