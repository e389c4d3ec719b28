"""What stays open: pods no policy isolates, ingress from every address, every namespace on every
port."""

from __future__ import annotations

from collections.abc import Collection

from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.lint.shapes import every_address, every_pod_peers, every_port
from podfence.reachability.policy import Policy, PolicySet, Rule

__all__ = ["no_default_deny", "wide_open"]


def no_default_deny(basis: Basis, scope: Collection[str] | None = None) -> list[Finding]:
    """no-default-deny: per namespace, the pods no policy isolates for ingress.

    Semantics relied on: a pod that no policy selects with Ingress in its policyTypes accepts
    every connection. (The policy pack's ``namespaces-have-default-deny`` asks another thing on
    purpose: a policy that selects every pod and admits nothing, whatever else isolates them.)

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


def _anywhere(policy: Policy, rule: Rule) -> list[Finding]:
    found = []
    for anywhere in every_address(rule):
        why = f"{anywhere.describe()}, on {rule.describe_ports()}: the whole internet can connect"
        fix = (
            "list the sources that need it in from"
            if rule.peers is None
            else "narrow the cidr to the ranges that need access (an office, a load balancer)"
        )
        peer = anywhere.peers[0][0] if len(anywhere.peers) == 1 else None
        found.append(
            Finding(
                CHECKS["ingress-from-anywhere"],
                policy.namespace,
                why,
                fix,
                (policy.ref,),
                rule.ref,
                peer=peer,
            )
        )
    return found


def _all_namespaces(policy: Policy, rule: Rule) -> list[Finding]:
    ports = every_port(rule)
    if ports is None:
        return []
    side = "from" if rule.direction == "ingress" else "to"
    wide: list[tuple[int | None, str]] = []
    for index in every_pod_peers(rule):
        if index is not None:
            peer = (rule.peers or ())[index]
            wide.append(
                (index, f"peer {index} ({peer.describe()}) admits every pod of every namespace")
            )
        elif rule.direction == "egress":  # ingress-from-anywhere says it of an ingress rule
            wide.append(
                (None, "it has no to, so it admits every pod of every namespace and every address")
            )
    return [
        Finding(
            CHECKS["all-namespaces-all-ports"],
            policy.namespace,
            f"{what}, on {ports}",
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
    the policy selects on an inventory: the rule is as open for pods that come later).

    The shapes are :mod:`.shapes`'s, which the policy pack asks too; the subjects are lint's own:

    * ingress-from-anywhere: every ingress rule of a policy that isolates ingress that admits
      every address of a family (:func:`.shapes.every_address`), on whatever ports.
    * all-namespaces-all-ports: any rule, ingress or egress, of any policy (the issue: "any
      rule that admits every namespace on every port"), whose peer admits every pod of every
      namespace (:func:`.shapes.every_pod_peers`) on every port of at least one protocol
      (:func:`.shapes.every_port`; every TCP port is the exposure that matters, so one
      protocol is enough, and the finding says which). An ingress rule without ``from`` is
      ingress-from-anywhere's alone. The pack's ``no-admit-all`` asks the same shapes of the
      ingress rules of policies that select every pod of their namespace only.
    """
    found: list[Finding] = []
    for policy in policies:
        for rule in policy.ingress or ():
            found += _anywhere(policy, rule)
        for direction in ("ingress", "egress"):
            for rule in policy.rules(direction) or ():
                found += _all_namespaces(policy, rule)
    return found
