"""What stays open: pods no policy isolates, ingress from every address, every namespace on every
port."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import listing, spans
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.peers import IpBlockPeer, Network, PodPeer
from podfence.reachability.policy import Policy, PolicySet, Rule
from podfence.reachability.ports import PROTOCOLS

__all__ = ["every_address", "no_default_deny", "wide_open"]

_WHOLE: dict[int, Network] = {
    4: ipaddress.IPv4Network("0.0.0.0/0"),
    6: ipaddress.IPv6Network("::/0"),
}


def no_default_deny(basis: Basis, scope: Collection[str] | None = None) -> list[Finding]:
    """no-default-deny: per namespace, the pods no policy isolates for ingress.

    Semantics relied on: a pod that no policy selects with Ingress in its policyTypes accepts
    every connection.

    Args:
        basis: the policies, inventory and grid.
        scope: the namespaces to look at; None (the default) means every namespace of the
            inventory that has pods.
    """
    grid = basis.grid
    by_namespace: dict[str, list[str]] = {}
    open_pods: dict[str, list[str]] = {}
    for index, pod in enumerate(basis.inventory.pods):
        if scope is not None and pod.namespace not in scope:
            continue
        by_namespace.setdefault(pod.namespace, []).append(pod.key)
        if not grid.ingress_isolating[grid.table.pod_class[index]]:
            open_pods.setdefault(pod.namespace, []).append(pod.key)
    found = []
    for namespace, pods in open_pods.items():
        total = len(by_namespace[namespace])
        policies = len(basis.policies.in_namespace(namespace))
        if not policies:
            why = (
                f"namespace {namespace} has no NetworkPolicy: its "
                f"{'pod accepts' if total == 1 else f'{total} pods accept'} connections from "
                f"everywhere ({listing(pods)})"
            )
        else:
            if len(pods) < total:
                subject = f"{len(pods)} of its {total} pods"
            else:
                subject = "its pod" if total == 1 else f"its {total} pods"
            they = "it accepts" if len(pods) == 1 else "they accept"
            why = (
                f"namespace {namespace} has {policies} "
                f"{'NetworkPolicy' if policies == 1 else 'NetworkPolicies'}, but none selects "
                f"{subject} with Ingress in its policyTypes, so {they} connections from "
                f"everywhere: {listing(pods)}"
            )
        fix = (
            f"add a default deny to namespace {namespace}: a NetworkPolicy with podSelector: {{}} "
            "and policyTypes: [Ingress] (podfence's DefaultDeny), then allow what each pod needs"
        )
        found.append(Finding(CHECKS["no-default-deny"], namespace, why, fix, pods=tuple(pods)))
    return found


def every_address(rule: Rule) -> list[tuple[int | None, str]]:
    """Where ``rule`` admits every address of a family: (peer index or None, what).

    An ipBlock whose cidr is /0 (excepts or not: they carve holes, the rest of the internet
    stays admitted), or ipBlocks whose cidrs together span a family; no peers at all.
    """
    if rule.peers is None:
        return [
            (
                None,
                "it has no from, so it admits every source: every address outside the "
                "cluster and every pod of every namespace",
            )
        ]
    found: list[tuple[int | None, str]] = []
    blocks = [(i, p) for i, p in enumerate(rule.peers) if isinstance(p, IpBlockPeer)]
    for version, whole in _WHOLE.items():
        mine = [(i, p) for i, p in blocks if p.cidr.version == version]
        single = [(i, p) for i, p in mine if p.cidr == whole]
        if single:
            index, peer = single[0]
            holes = (
                f" (its except entries keep out only {', '.join(str(e) for e in peer.excepts)})"
                if peer.excepts
                else ""
            )
            found.append(
                (index, f"peer {index} ({whole}) admits every IPv{version} address{holes}")
            )
            continue
        if mine and spans((p.cidr for _, p in mine), whole):
            cidrs = ", ".join(f"{i} ({p.describe()})" for i, p in mine)
            found.append((None, f"peers {cidrs} together admit every IPv{version} address"))
    return found


def _every_port(rule: Rule) -> bool:
    """No ports, or a port without a number for each protocol."""
    if rule.ports is None:
        return True
    return {port.protocol for port in rule.ports if port.port is None} >= set(PROTOCOLS)


def _anywhere(policy: Policy, rule: Rule) -> list[Finding]:
    found = []
    for index, what in every_address(rule):
        why = f"{what}, on {rule.describe_ports()}: the whole internet can connect"
        fix = (
            "list the sources that need it in from"
            if rule.peers is None
            else "narrow the cidr to the ranges that need access (an office, a load balancer)"
        )
        found.append(
            Finding(
                CHECKS["ingress-from-anywhere"],
                policy.namespace,
                why,
                fix,
                (policy.ref,),
                rule.ref,
                peer=index,
            )
        )
    return found


def _all_namespaces(policy: Policy, rule: Rule) -> list[Finding]:
    if not _every_port(rule):
        return []
    side = "from" if rule.direction == "ingress" else "to"
    if rule.peers is None:
        if rule.direction == "ingress":
            return []  # ingress-from-anywhere says it, with the ports
        wide: list[tuple[int | None, str]] = [
            (None, "it has no to, so it admits every pod of every namespace and every address")
        ]
    else:
        wide = [
            (index, f"peer {index} ({peer.describe()}) admits every pod of every namespace")
            for index, peer in enumerate(rule.peers)
            if isinstance(peer, PodPeer)
            and peer.namespace_selector is not None
            and peer.namespace_selector.is_empty
            and peer.pod_selector.is_empty
        ]
    return [
        Finding(
            CHECKS["all-namespaces-all-ports"],
            policy.namespace,
            f"{what}, on every port and protocol",
            f"select the namespaces (namespaceSelector) and pods the {side} side needs, and "
            "list the ports",
            (policy.ref,),
            rule.ref,
            peer=index,
        )
        for index, what in wide
    ]


def wide_open(policies: PolicySet) -> list[Finding]:
    """ingress-from-anywhere and all-namespaces-all-ports, read from the rules alone (whatever
    the policy selects on an inventory: the rule is as open for pods that come later)."""
    found: list[Finding] = []
    for policy in policies:
        for rule in policy.ingress or ():
            found += _anywhere(policy, rule)
        for direction in ("ingress", "egress"):
            for rule in policy.rules(direction) or ():
                found += _all_namespaces(policy, rule)
    return found
