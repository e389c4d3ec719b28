"""Cluster-wide policy objects read and checked: AdminNetworkPolicy, BaselineAdminNetworkPolicy and
ClusterNetworkPolicy (policy.networking.k8s.io), one line per bad field.

What each kind accepts (sigs.k8s.io/network-policy-api; the limits are the CRDs' schema):

=============================  ===========  ===========================  ====================
kind                           apiVersion   tier, priority               actions
=============================  ===========  ===========================  ====================
AdminNetworkPolicy             v1alpha1     Admin; ``spec.priority``     Allow, Deny, Pass
BaselineAdminNetworkPolicy     v1alpha1     Baseline; none (singleton    Allow, Deny
                                            named ``default``)
ClusterNetworkPolicy           v1alpha2,    ``spec.tier`` (Admin or      Accept, Deny, Pass
                               v1beta1      Baseline); ``spec.priority``
=============================  ===========  ===========================  ====================

``spec.priority`` is 0 to 1000. ``spec.subject`` is exactly one of ``namespaces`` (a label
selector) or ``pods`` (``podSelector`` required; ``namespaceSelector`` required in v1alpha1,
optional in v1alpha2 and v1beta1, where leaving it out selects every namespace). A rule has
``name`` (optional, at most 100 characters), ``action`` (required), ``from`` / ``to`` (at least
one peer) and optionally its ports (at least one when given; absent: every port). An ingress peer is
exactly one of ``namespaces`` or ``pods``; an egress peer exactly one of ``namespaces``,
``pods``, ``nodes`` (a label selector), ``networks`` (1 to 25 CIDRs; v1beta1's CIDR type also
requires no host bits, ``cidr(self) == cidr(self).masked()``: ``10.0.0.0/8``, not ``10.1.2.3/8``,
which v1alpha1 and v1alpha2 accept and read as ``10.0.0.0/8``) or ``domainNames`` (1 to 25
names). An egress rule with a named port may not have a ``networks``, ``nodes`` or
``domainNames`` peer (the CRDs' CEL rule: those have no named ports). Limits per version:

==========  ======================  =====================  =====================
apiVersion  rules per direction     peers per rule         ports per rule
==========  ======================  =====================  =====================
v1alpha1    100                     1 to 100               ``ports``: 1 to 100
v1alpha2,   25                      1 to 25                ``protocols``: 1 to 25
v1beta1
==========  ======================  =====================  =====================

A v1alpha1 port is exactly one of ``portNumber`` (``protocol``, default TCP, and ``port``),
``namedPort`` (a name) or ``portRange`` (``protocol``, ``start``, ``end``). A v1alpha2 or
v1beta1 ``protocols`` entry is exactly one of ``tcp``, ``udp``, ``sctp`` (each a map with
``destinationPort``, exactly one of ``number`` or ``range: {start, end}``) or
``destinationNamedPort`` (a name). A range's ``start`` must be less than its ``end`` in both
(the CRDs' rule; a single port is a number, not a range).

ClusterNetworkPolicy v1beta1 (upstream's storage version) has v1alpha2's fields, enums and limits;
it differs only in the masked CIDR. Both are read by one code path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from ipaddress import ip_address
from typing import Any

from podfence.reachability.admin import (
    ADMIN_NETWORK_POLICY,
    BASELINE_ADMIN_NETWORK_POLICY,
    CLUSTER_NETWORK_POLICY,
    AdminPeer,
    AdminPort,
    AdminRule,
    ClusterPolicy,
)
from podfence.reachability.admin_peers import DomainNamesPeer, NamedPort, NodePeer
from podfence.reachability.context import ObjectContext, short
from podfence.reachability.isolation import PEER_FIELDS
from podfence.reachability.model import object_name
from podfence.reachability.peers import IpBlockPeer, PodPeer
from podfence.reachability.ports import (
    PortRule,
    parse_port_name,
    parse_port_number,
    parse_protocol,
)
from podfence.reachability.selectors import LabelSelector, parse_labels, parse_selector
from podfence.reachability.tiers import ACCEPT, ADMIN, ALLOW, BASELINE, DENY, PASS
from podfence.reachability.verdict import ClusterPolicyRef
from podfence.validation import parse_cidr

__all__ = ["API_VERSIONS", "V1ALPHA1", "V1ALPHA2", "V1BETA1", "parse_cluster_policy"]

V1ALPHA1 = "policy.networking.k8s.io/v1alpha1"
V1ALPHA2 = "policy.networking.k8s.io/v1alpha2"
V1BETA1 = "policy.networking.k8s.io/v1beta1"
#: The apiVersions of each cluster-wide kind podfence evaluates; an object without an
#: apiVersion is read as the first.
API_VERSIONS: dict[str, tuple[str, ...]] = {
    ADMIN_NETWORK_POLICY: (V1ALPHA1,),
    BASELINE_ADMIN_NETWORK_POLICY: (V1ALPHA1,),
    CLUSTER_NETWORK_POLICY: (V1ALPHA2, V1BETA1),
}
#: The apiVersions whose ``networks`` CIDRs must have no host bits (v1beta1's CIDR type).
_MASKED_NETWORKS = frozenset({V1BETA1})

MAX_PRIORITY = 1000
MAX_NETWORKS = 25
MAX_DOMAIN_NAMES = 25
MAX_RULE_NAME = 100
#: The name the one BaselineAdminNetworkPolicy of a cluster must have.
BASELINE_NAME = "default"

#: Egress peers that have no named ports: a rule with a named port may not use them.
_UNNAMED_PEERS = ("networks", "nodes", "domainNames")
_PEERS = {"ingress": ("namespaces", "pods"), "egress": ("namespaces", "pods", "nodes", "networks", "domainNames")}  # fmt: skip
_PORT_KINDS = ("portNumber", "namedPort", "portRange")
_PROTOCOL_KINDS = ("tcp", "udp", "sctp", "destinationNamedPort")
#: The CRDs' DomainName pattern (v1alpha2/v1beta1 ``DomainName``): labels of letters, digits, '-'
#: and '_' (neither first nor last), at least two of them, an optional leading ``*.`` and an
#: optional trailing dot. No length limit is part of it, so none is enforced here.
_DOMAIN_NAME = re.compile(
    r"(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?"
)


@dataclass(frozen=True)
class _Kind:
    """What one kind accepts."""

    kind: str
    tier: str | None  # None: from spec.tier
    priority: bool
    actions: tuple[str, ...]
    spec_fields: frozenset[str]
    port_field: str  # "ports" (v1alpha1) or "protocols" (v1alpha2)
    limit: int  # the most rules per direction, peers per rule and ports per rule
    namespace_selector_required: bool  # in a ``pods`` subject or peer
    version: str = ""  # the object's apiVersion, without the group
    masked_networks: bool = False  # a ``networks`` CIDR may not have host bits set


_KINDS = {
    ADMIN_NETWORK_POLICY: _Kind(
        ADMIN_NETWORK_POLICY,
        ADMIN,
        True,
        (ALLOW, DENY, PASS),
        frozenset({"priority", "subject", "ingress", "egress"}),
        "ports",
        100,
        True,
    ),
    BASELINE_ADMIN_NETWORK_POLICY: _Kind(
        BASELINE_ADMIN_NETWORK_POLICY,
        BASELINE,
        False,
        (ALLOW, DENY),
        frozenset({"subject", "ingress", "egress"}),
        "ports",
        100,
        True,
    ),
    CLUSTER_NETWORK_POLICY: _Kind(
        CLUSTER_NETWORK_POLICY,
        None,
        True,
        (ACCEPT, DENY, PASS),
        frozenset({"tier", "priority", "subject", "ingress", "egress"}),
        "protocols",
        25,
        False,
    ),
}


def parse_cluster_policy(obj: Mapping[str, Any]) -> ClusterPolicy:
    """Compile an AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.

    Everything the CRDs' schema refuses is refused (see the module's table), with the field and
    the value; so is a field the kind does not have (a misspelt ``egress`` would otherwise drop
    rules silently).

    Args:
        obj: the object; its ``kind`` says which of the three it is, its ``apiVersion`` (one of
            :data:`API_VERSIONS`; left out: the kind's first) which schema checks it.

    Raises:
        InputError: the first malformed field, named with the policy and the bad value.
    """
    api_version = obj.get("apiVersion") or API_VERSIONS[obj["kind"]][0]
    kind = replace(
        _KINDS[obj["kind"]],
        version=api_version.rpartition("/")[2],
        masked_networks=api_version in _MASKED_NETWORKS,
    )
    context = object_name(obj, kind.kind, namespaced=False, subdomain=True)
    metadata = obj["metadata"]
    if metadata.get("labels") is not None:
        parse_labels(metadata["labels"], context, "metadata.labels")
    name = metadata["name"]
    if kind.kind == BASELINE_ADMIN_NETWORK_POLICY and name != BASELINE_NAME:
        raise context.invalid(
            "metadata.name",
            name,
            f"the {kind.kind} must be named {BASELINE_NAME} (a cluster has only one)",
        )
    spec = context.mapping(obj.get("spec"), "spec")
    unknown = spec.keys() - kind.spec_fields
    if unknown:
        order = ("tier", "priority", "subject", "ingress", "egress")
        raise context.unknown("spec", unknown, ", ".join(f for f in order if f in kind.spec_fields))
    tier = kind.tier if kind.tier is not None else _tier(spec.get("tier"), context)
    priority = _priority(spec.get("priority"), context) if kind.priority else None
    head = ClusterPolicyRef(kind.kind, name, tier, priority)
    subject = _subject(spec.get("subject"), kind, context)
    notes: list[str] = []
    ingress = _rules(spec, "ingress", head, subject, kind, context, notes)
    egress = _rules(spec, "egress", head, subject, kind, context, notes)
    return ClusterPolicy(head, subject, ingress, egress, tuple(notes))


def _tier(raw: Any, context: ObjectContext) -> str:
    if raw not in (ADMIN, BASELINE):
        got = "nothing" if raw is None else short(raw)
        raise context.error("spec.tier", f"expected Admin or Baseline, got {got}")
    return str(raw)


def _priority(raw: Any, context: ObjectContext) -> int:
    if raw is None:
        raise context.error("spec.priority", "required: a number from 0 (first) to 1000")
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_PRIORITY:
        raise context.invalid(
            "spec.priority", raw, f"must be a whole number from 0 (first) to {MAX_PRIORITY}"
        )
    return raw


def _one_of(raw: Any, keys: tuple[str, ...], context: ObjectContext, field: str) -> str:
    """The one key of ``keys`` a map sets; refuses other keys, none, or several."""
    if not isinstance(raw, dict):
        raise context.error(
            field, f"expected a map with one of {', '.join(keys)}, got {short(raw)}"
        )
    unknown = raw.keys() - set(keys)
    if unknown:
        raise context.unknown(field, unknown, ", ".join(keys))
    present = [key for key in keys if raw.get(key) is not None]
    if len(present) != 1:
        got = "none" if not present else " and ".join(present)
        raise context.error(field, f"set exactly one of {', '.join(keys)} (got {got})")
    return present[0]


def _pods(raw: Any, kind: _Kind, context: ObjectContext, field: str) -> PodPeer:
    """``pods``: the pods ``podSelector`` matches in the namespaces ``namespaceSelector`` does
    (v1alpha2 may leave ``namespaceSelector`` out: every namespace)."""
    pods = context.mapping(raw, field, "a map with namespaceSelector and podSelector")
    unknown = pods.keys() - {"namespaceSelector", "podSelector"}
    if unknown:
        raise context.unknown(field, unknown, "namespaceSelector, podSelector")
    required: tuple[str, ...] = ("podSelector",)
    if kind.namespace_selector_required:
        required = ("namespaceSelector", "podSelector")
    for key in required:
        if pods.get(key) is None:
            raise context.error(f"{field}.{key}", "required (an empty selector {} selects all)")
    return PodPeer(
        parse_selector(pods["podSelector"], context, f"{field}.podSelector"),
        namespace_selector=parse_selector(
            pods.get("namespaceSelector") or {}, context, f"{field}.namespaceSelector"
        ),
    )


def _namespaces(raw: Any, context: ObjectContext, field: str) -> PodPeer:
    """``namespaces``: every pod of the namespaces the selector matches ({}: all of them)."""
    return PodPeer(LabelSelector(), namespace_selector=parse_selector(raw, context, field))


def _subject(raw: Any, kind: _Kind, context: ObjectContext) -> PodPeer:
    field = "spec.subject"
    subject = context.mapping(raw, field, "a map with namespaces or pods")
    key = _one_of(subject, ("namespaces", "pods"), context, field)
    if key == "namespaces":
        return _namespaces(subject[key], context, f"{field}.namespaces")
    return _pods(subject[key], kind, context, f"{field}.pods")


def _bounded(
    raw: Any, context: ObjectContext, field: str, what: str, low: int, high: int
) -> list[Any]:
    items = context.sequence(raw, field, f"a list of {what}")
    if not low <= len(items) <= high:
        raise context.error(field, f"expected {low} to {high} {what}, got {len(items)}")
    return items


def _rules(
    spec: Mapping[str, Any],
    direction: str,
    head: ClusterPolicyRef,
    subject: PodPeer,
    kind: _Kind,
    context: ObjectContext,
    notes: list[str],
) -> tuple[AdminRule, ...]:
    field = f"spec.{direction}"
    raw = _bounded(spec.get(direction), context, field, "rules", 0, kind.limit)
    return tuple(
        _rule(item, head, subject, direction, index, kind, context, notes)
        for index, item in enumerate(raw)
    )


def _action(raw: Any, kind: _Kind, context: ObjectContext, field: str) -> str:
    if raw in kind.actions:
        return str(raw)
    expected = ", ".join(kind.actions)
    if raw is None:
        problem = f"required: one of {expected}"
    elif raw == PASS:
        problem = f"'Pass' is not an action of the {kind.kind}: it has no lower tier to pass to (expected {expected})"
    elif raw == ALLOW and kind.kind == CLUSTER_NETWORK_POLICY:
        problem = f"'Allow' is v1alpha1's action; a {kind.kind} ({kind.version}) says Accept (expected {expected})"
    elif raw == ACCEPT:
        article = "an" if kind.kind[0] in "AEIOU" else "a"
        problem = f"'Accept' is ClusterNetworkPolicy's action; {article} {kind.kind} (v1alpha1) says Allow (expected {expected})"
    else:
        problem = f"unknown action {short(raw)} (expected one of {expected})"
    raise context.error(f"{field}.action", problem)


def _rule(
    raw: Any,
    head: ClusterPolicyRef,
    subject: PodPeer,
    direction: str,
    index: int,
    kind: _Kind,
    context: ObjectContext,
    notes: list[str],
) -> AdminRule:
    field = f"spec.{direction}[{index}]"
    peer_field = PEER_FIELDS[direction]
    rule = context.mapping(raw, field, "a rule map")
    known = ("name", "action", peer_field, kind.port_field)
    unknown = rule.keys() - set(known)
    if unknown:
        raise context.unknown(field, unknown, ", ".join(known))
    name = rule.get("name")
    if name is None:
        name = ""
    elif not isinstance(name, str) or len(name) > MAX_RULE_NAME:
        raise context.invalid(
            f"{field}.name", name, f"must be a string of at most {MAX_RULE_NAME} characters"
        )
    action = _action(rule.get("action"), kind, context, field)
    where = f"{field}.{peer_field}"
    peers: list[AdminPeer] = []
    raw_peers = _bounded(rule.get(peer_field), context, where, "peers", 1, kind.limit)
    for number, item in enumerate(raw_peers):
        peers += _peer(item, direction, kind, context, f"{where}[{number}]", notes)
    ports = _ports(rule, kind, context, field)
    if ports is not None and any(isinstance(port, NamedPort) for port in ports):
        _no_unnamed_peers(raw_peers, context, where)
    return AdminRule(head, direction, index, name, action, tuple(peers), ports, subject)


def _no_unnamed_peers(raw_peers: list[Any], context: ObjectContext, where: str) -> None:
    """Refuse a named port in a rule with a networks, nodes or domainNames peer (the CRDs'
    CEL rule: those peers have no named ports)."""
    for number, item in enumerate(raw_peers):
        used = [key for key in _UNNAMED_PEERS if isinstance(item, dict) and key in item]
        if used:
            raise context.error(
                f"{where}[{number}].{used[0]}",
                f"a {used[0]} peer cannot be used in a rule with a named port (there are no "
                f"named ports for {'/'.join(_UNNAMED_PEERS)}); put it in a rule of its own",
            )


def _peer(
    raw: Any, direction: str, kind: _Kind, context: ObjectContext, field: str, notes: list[str]
) -> list[AdminPeer]:
    if raw is None:
        raw = {}
    key = _one_of(raw, _PEERS[direction], context, field)
    value = raw[key]
    where = f"{field}.{key}"
    if key == "namespaces":
        return [_namespaces(value, context, where)]
    if key == "pods":
        return [_pods(value, kind, context, where)]
    if key == "nodes":
        return [NodePeer(parse_selector(value, context, where))]
    if key == "networks":
        items = _bounded(value, context, where, "CIDRs", 1, MAX_NETWORKS)
        return [
            _network(item, kind, context, f"{where}[{index}]") for index, item in enumerate(items)
        ]
    names = _bounded(value, context, where, "domain names", 1, MAX_DOMAIN_NAMES)
    for index, item in enumerate(names):
        if not isinstance(item, str) or not _DOMAIN_NAME.fullmatch(item):
            raise context.invalid(
                f"{where}[{index}]", item, "must be a DNS name such as example.com or *.example.com"
            )
    notes.append(
        f"{context.label}: {where}: domain names are not resolved offline; podfence takes this "
        "peer to match no address"
    )
    return [DomainNamesPeer(tuple(names))]


def _network(raw: Any, kind: _Kind, context: ObjectContext, field: str) -> IpBlockPeer:
    """One ``networks`` CIDR. Host bits are read away (``10.1.2.3/8`` is ``10.0.0.0/8``) except
    where the version's CIDR type refuses them (v1beta1: ``cidr(self) == cidr(self).masked()``)."""
    parsed = parse_cidr(raw) if isinstance(raw, str) else "must be a CIDR such as 10.0.0.0/8"
    if isinstance(parsed, str):
        raise context.invalid(field, raw, parsed)
    if kind.masked_networks and ip_address(raw.partition("/")[0]) != parsed.network_address:
        raise context.invalid(
            field,
            raw,
            f"has host bits set, which {kind.kind} {kind.version} refuses; write {parsed}",
        )
    return IpBlockPeer(parsed)


def _ports(
    rule: Mapping[str, Any], kind: _Kind, context: ObjectContext, field: str
) -> tuple[AdminPort, ...] | None:
    """The rule's ``ports`` (v1alpha1) or ``protocols`` (v1alpha2); None when absent (every
    port). Given, the list holds at least one entry (an empty one is refused, as the API does)."""
    key = kind.port_field
    if rule.get(key) is None:
        return None
    raw = _bounded(rule[key], context, f"{field}.{key}", key, 1, kind.limit)
    read = _port if key == "ports" else _protocol
    return tuple(read(item, context, f"{field}.{key}[{index}]") for index, item in enumerate(raw))


def _range(raw: Any, protocol: str, context: ObjectContext, field: str, known: str) -> PortRule:
    """A port range ``start``..``end``, both included; ``start`` must be less than ``end``."""
    block = context.mapping(raw, field, "a map with start and end")
    unknown = block.keys() - set(known.split(", "))
    if unknown:
        raise context.unknown(field, unknown, known)
    start = parse_port_number(block.get("start"), context, f"{field}.start")
    end = parse_port_number(block.get("end"), context, f"{field}.end")
    if start >= end:
        raise context.error(
            field,
            f"start {start} must be less than end {end} (a range spans at least two ports; "
            f"for one port give the number)",
        )
    return PortRule(protocol, start, end)


def _named(raw: Any, context: ObjectContext, field: str) -> NamedPort:
    if not isinstance(raw, str):
        raise context.invalid(field, raw, "must be a port name (a string)", "port name")
    return NamedPort(parse_port_name(raw, context, field, number_hint=False))


def _port(raw: Any, context: ObjectContext, field: str) -> AdminPort:
    """One v1alpha1 port: portNumber, namedPort or portRange."""
    if raw is None:
        raw = {}
    key = _one_of(raw, _PORT_KINDS, context, field)
    value, where = raw[key], f"{field}.{key}"
    if key == "namedPort":
        return _named(value, context, where)
    entry = context.mapping(value, where)
    protocol = parse_protocol(entry.get("protocol"), context, f"{where}.protocol")
    if key == "portRange":
        return _range(entry, protocol, context, where, "protocol, start, end")
    unknown = entry.keys() - {"protocol", "port"}
    if unknown:
        raise context.unknown(where, unknown, "protocol, port")
    return PortRule(protocol, parse_port_number(entry.get("port"), context, f"{where}.port"))


def _protocol(raw: Any, context: ObjectContext, field: str) -> AdminPort:
    """One v1alpha2 ``protocols`` entry: ``tcp``/``udp``/``sctp`` with a ``destinationPort``,
    or ``destinationNamedPort``."""
    if raw is None:
        raw = {}
    key = _one_of(raw, _PROTOCOL_KINDS, context, field)
    value, where = raw[key], f"{field}.{key}"
    if key == "destinationNamedPort":
        return _named(value, context, where)
    protocol = key.upper()
    entry = context.mapping(value, where)
    unknown = entry.keys() - {"destinationPort"}
    if unknown:
        raise context.unknown(where, unknown, "destinationPort")
    port = entry.get("destinationPort")
    if port is None:
        raise context.error(
            f"{where}.destinationPort", "required: a map with number or range (1 to 65535)"
        )
    where = f"{where}.destinationPort"
    choice = _one_of(port, ("number", "range"), context, where)
    if choice == "number":
        return PortRule(protocol, parse_port_number(port["number"], context, f"{where}.number"))
    return _range(port["range"], protocol, context, f"{where}.range", "start, end")
