"""The API server's checks of names, labels, ports and addresses, one function per rule.

Each ``*_problem`` function takes a value and returns None when the API server accepts it, or
one line naming the rule it breaks (the first one, as Kubernetes lists them), e.g. ``must be no
more than 63 characters``. Callers put the field and the value in front. The rules are those of
Kubernetes (k8s.io/apimachinery/pkg/util/validation and pkg/api/validate/content: IsQualifiedName,
IsValidLabelValue, IsDNS1123Label, IsDNS1123Subdomain, IsValidPortName, IsValidPortNum;
k8s.io/kubernetes/pkg/apis/networking/validation: ValidateNetworkPolicyPort, ValidateIPBlock and
the policyTypes of ValidateNetworkPolicySpec), written again here; the messages are Kubernetes'
without the regular expressions.

Which rule applies where (ValidateObjectMeta and the kinds' own name rules):

=========================================  ===========================================
field                                      rule
=========================================  ===========================================
NetworkPolicy and Pod ``metadata.name``    :func:`dns1123_subdomain_problem`
Namespace ``metadata.name``                :func:`dns1123_label_problem`
``metadata.namespace``                     :func:`dns1123_label_problem`
label keys, matchExpressions keys          :func:`qualified_name_problem`
label values, In/NotIn values              :func:`label_value_problem`
named ports (rules and containerPorts)     :func:`port_name_problem`
port numbers, endPort                      :func:`port_number_problem`, :func:`end_port_problem`
protocol                                   :func:`protocol_problem`
policyTypes                                :func:`policy_types_problem`
ipBlock cidr and except                    :func:`cidr_problem`, :func:`except_problem`
=========================================  ===========================================
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

__all__ = [
    "LABEL_VALUE_MAX",
    "NAME_MAX",
    "POLICY_TYPES",
    "PORT_NAME_MAX",
    "PROTOCOLS",
    "SUBDOMAIN_MAX",
    "Network",
    "cidr_problem",
    "dns1123_label_problem",
    "dns1123_subdomain_problem",
    "end_port_problem",
    "except_problem",
    "label_key_problem",
    "label_value_problem",
    "parse_cidr",
    "policy_types_problem",
    "port_name_problem",
    "port_number_problem",
    "protocol_problem",
    "qualified_name_problem",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The longest DNS-1123 label, label value and name part of a label key.
NAME_MAX = 63
LABEL_VALUE_MAX = 63
#: The longest DNS-1123 subdomain (and label key prefix).
SUBDOMAIN_MAX = 253
#: The longest IANA service name (a named port).
PORT_NAME_MAX = 15
#: The protocols of a NetworkPolicy port and a containerPort.
PROTOCOLS = ("TCP", "UDP", "SCTP")
#: The policyTypes a NetworkPolicy may list.
POLICY_TYPES = ("Ingress", "Egress")

# The string checks remember their answers: an inventory repeats its label keys, label values
# and namespace names thousands of times.
_CACHED = 16384

# The patterns, anchored with fullmatch (so a trailing newline never passes, unlike ``$``).
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")

_TOO_LONG = "must be no more than {} characters"
_LABEL_CHARS = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
_DNS1123_LABEL_CHARS = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_CHARS = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)


@functools.lru_cache(maxsize=_CACHED)
def dns1123_label_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a DNS-1123 label (a namespace's name), or None.

    At most 63 characters of ``a-z``, ``0-9`` and ``-``, starting and ending alphanumeric.
    """
    if len(value) > NAME_MAX:
        return _TOO_LONG.format(NAME_MAX)
    if _DNS1123_LABEL.fullmatch(value):
        return None
    if _DNS1123_SUBDOMAIN.fullmatch(value):
        return "must not contain dots"
    return _DNS1123_LABEL_CHARS


@functools.lru_cache(maxsize=_CACHED)
def dns1123_subdomain_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a DNS-1123 subdomain (a pod's or policy's name), or None.

    At most 253 characters: DNS-1123 labels joined by dots.
    """
    if len(value) > SUBDOMAIN_MAX:
        return _TOO_LONG.format(SUBDOMAIN_MAX)
    if _DNS1123_SUBDOMAIN.fullmatch(value):
        return None
    return _DNS1123_SUBDOMAIN_CHARS


@functools.lru_cache(maxsize=_CACHED)
def qualified_name_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a qualified name (a label key), or None.

    An optional DNS-1123 subdomain prefix and ``/``, then a name part of at most 63 characters
    of alphanumerics, ``-``, ``_`` and ``.``, starting and ending alphanumeric.
    """
    parts = value.split("/")
    if len(parts) > 2:
        return (
            "must be a name part with an optional DNS subdomain prefix and one '/' (e.g. "
            "'example.com/MyName')"
        )
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return "prefix part must be non-empty"
        problem = dns1123_subdomain_problem(prefix)
        if problem is not None:
            return f"prefix part {problem}"
    if not name:
        return "name part must be non-empty"
    if len(name) > NAME_MAX:
        return f"name part {_TOO_LONG.format(NAME_MAX)}"
    if not _QUALIFIED_NAME.fullmatch(name):
        return f"name part {_LABEL_CHARS}"
    return None


#: A label key is a qualified name.
label_key_problem = qualified_name_problem


@functools.lru_cache(maxsize=_CACHED)
def label_value_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a label value, or None.

    Empty, or at most 63 characters of alphanumerics, ``-``, ``_`` and ``.``, starting and ending
    alphanumeric.
    """
    if len(value) > LABEL_VALUE_MAX:
        return _TOO_LONG.format(LABEL_VALUE_MAX)
    if value and not _QUALIFIED_NAME.fullmatch(value):
        return f"must be empty or {_LABEL_CHARS.removeprefix('must ')}"
    return None


@functools.lru_cache(maxsize=_CACHED)
def port_name_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a named port (an IANA_SVC_NAME), or None.

    1-15 characters of ``a-z``, ``0-9`` and ``-``, at least one letter, no hyphen at either end
    and no two hyphens in a row.
    """
    if len(value) > PORT_NAME_MAX:
        return _TOO_LONG.format(PORT_NAME_MAX)
    if not _PORT_NAME_CHARS.fullmatch(value):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if not any("a" <= char <= "z" for char in value):
        return "must contain at least one letter (a-z)"
    if "--" in value:
        return "must not contain consecutive hyphens"
    if value[0] == "-" or value[-1] == "-":
        return "must not begin or end with a hyphen"
    return None


def port_number_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a port number (1-65535; an integer, not a string), or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a port number (an integer)"
    if not 1 <= value <= 65535:
        return "must be between 1 and 65535, inclusive"
    return None


def end_port_problem(port: int | str | None, end_port: int) -> str | None:
    """What is wrong with an ``endPort`` given ``port`` (a number, a name or None), or None.

    endPort needs a numeric port and must not be below it (its own range is checked by
    :func:`port_number_problem`).
    """
    if port is None:
        return "may not be specified when `port` is not specified"
    if isinstance(port, str):
        return "may not be specified when `port` is non-numeric"
    if end_port < port:
        return "must be greater than or equal to `port`"
    return None


def protocol_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a protocol (TCP, UDP or SCTP, in capitals), or None."""
    if isinstance(value, str) and value in PROTOCOLS:
        return None
    return f"must be one of {', '.join(PROTOCOLS)}"


def policy_types_problem(values: list[Any]) -> tuple[int, str] | None:
    """What is wrong with a policyTypes list, or None.

    Returns:
        (index, problem): the entry at fault (-1 for the whole list) and what is wrong with it.
        At most two entries, each Ingress or Egress.
    """
    if len(values) > len(POLICY_TYPES):
        return -1, "may not specify more than two policyTypes"
    for index, value in enumerate(values):
        if not isinstance(value, str) or value not in POLICY_TYPES:
            return index, f"must be one of {', '.join(POLICY_TYPES)}"
    return None


def parse_cidr(value: str) -> Network | str:
    """``value`` as a network, or what is wrong with it (a one-line problem).

    Kubernetes parses ipBlock CIDRs with Go's ``net.ParseCIDR`` (sloppily: host bits are
    allowed, ``10.1.2.3/8`` is ``10.0.0.0/8``); the prefix length is a decimal number, never a
    netmask, and an address has no zone.
    """
    address, slash, prefix = value.partition("/")
    invalid = "must be a valid CIDR (e.g. 10.0.0.0/8 or 2001:db8::/32)"
    if not slash:
        try:
            single = ipaddress.ip_address(value)
        except ValueError:
            return invalid
        return (
            f"must be a CIDR: the mask is missing (did you mean '{single}/{single.max_prefixlen}'?)"
        )
    if not (prefix.isascii() and prefix.isdigit()) or "%" in address or not address:
        return invalid
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return invalid


def cidr_problem(value: str) -> str | None:
    """What is wrong with ``value`` as an ipBlock cidr, or None."""
    parsed = parse_cidr(value)
    return parsed if isinstance(parsed, str) else None


def except_problem(excluded: Network, cidr: Network) -> str | None:
    """What is wrong with ``excluded`` as an ``except`` of ``cidr``, or None.

    It must be of the same family and strictly inside (a longer prefix than) ``cidr``.
    """
    if excluded.version != cidr.version:
        return f"must be IPv{cidr.version} like cidr {cidr}, not IPv{excluded.version}"
    if not excluded.subnet_of(cidr) or excluded.prefixlen <= cidr.prefixlen:  # type: ignore[arg-type]
        return f"must be a strict subset of cidr {cidr}"
    return None
