"""What stays open: pods that accept ingress by default, ingress from every address, every
namespace on every port."""

from __future__ import annotations

from collections.abc import Collection

from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.defaults import StandIn, undecided
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.lint.shapes import every_address, every_pod_peers, every_port
from podfence.reachability.policy import Policy, PolicySet, Rule
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.verdict import Verdict

__all__ = ["no_default_deny", "wide_open"]


def no_default_deny(
    basis: Basis, scope: Collection[str] | None = None
) -> tuple[list[Finding], list[str]]:
    """no-default-deny: per namespace, the pods that accept ingress by default.

    Definition: a pod accepts ingress by default when a connection to it from a pod no rule
    names in particular is allowed with nothing deciding it: no NetworkPolicy isolates the pod
    for ingress, and no cluster-wide rule decides the connection (an Admin-tier Pass may hand
    it on, to nothing). The stand-in source (:class:`~.defaults.StandIn`) is a pod without
    labels in a namespace of its own labelled only with its name: a Deny of every pod
    (``namespaces: {}``), or of every namespace but some, matches it; a rule about particular
    namespaces or pods does not. The engine (:func:`~podfence.reachability.evaluate.evaluate`)
    decides it on each of the pod's declared ports and each probe port, so a Deny of some
    ports only leaves the pod open. Without cluster-wide policies this is exactly the pods no
    NetworkPolicy isolates for ingress (which accept every connection); with a Baseline-tier
    default deny (podfence's ClusterBaseline) a namespace without NetworkPolicies is covered,
    and so with an Admin-tier Deny of every pod.

    Addresses outside the cluster are not the stand-in: a cluster-wide ingress rule never
    matches one (its peers are pods), so a pod covered by a cluster-wide rule alone still
    accepts them; a note says so, naming the namespaces. The policy pack's
    ``namespaces-have-default-deny`` asks another thing on purpose: a policy that selects
    every pod and admits nothing, whatever else isolates them (or a cluster-wide one that
    denies for every pod of the namespace).

    Args:
        basis: the policies, inventory and grid.
        scope: the namespaces to look at; None (the default) means every namespace of the
            inventory that has pods.

    Returns:
        The findings, and the notes (the namespaces covered by cluster-wide rules alone).
    """
    grid = basis.grid
    policies = basis.policies
    tiered = bool(policies.admin or policies.baseline)
    stand_in = StandIn.build(policies, basis.inventory) if tiered else None
    by_namespace: dict[str, list[str]] = {}
    open_pods: dict[str, list[str]] = {}
    examples: dict[str, Verdict] = {}
    covered: dict[str, None] = {}
    defaults: dict[int, Verdict | None] = {}
    for index, pod in enumerate(basis.inventory.pods):
        if scope is not None and pod.namespace not in scope:
            continue
        by_namespace.setdefault(pod.namespace, []).append(pod.key)
        number = grid.table.pod_class[index]
        if grid.ingress_isolating[number]:
            continue
        if stand_in is None:
            open_pods.setdefault(pod.namespace, []).append(pod.key)
            continue
        if number not in defaults:
            ports = [
                (grid.entry_port[entry], PROTOCOLS[grid.entry_protocol[entry]])
                for entry in grid.class_entries[number]
            ]
            verdicts = stand_in.verdicts(policies, pod, "ingress", ports)
            defaults[number] = undecided(verdicts, "ingress")
        example = defaults[number]
        if example is None:
            covered.setdefault(pod.namespace)
            continue
        open_pods.setdefault(pod.namespace, []).append(pod.key)
        examples.setdefault(pod.namespace, example)
    found = []
    for namespace, pods in open_pods.items():
        why = _open_why(basis, namespace, pods, len(by_namespace[namespace]), examples)
        fix = (
            f"add a default deny to namespace {namespace}: a NetworkPolicy with podSelector: {{}} "
            "and policyTypes: [Ingress] (podfence's DefaultDeny), "
            + (
                "or a Baseline-tier Deny of ingress from every pod whose subject selects the "
                "namespace (podfence's ClusterBaseline); "
                if tiered
                else ""
            )
            + "then allow what each pod needs"
        )
        found.append(Finding(CHECKS["no-default-deny"], namespace, why, fix, pods=tuple(pods)))
    notes = []
    if covered:
        notes.append(
            "no-default-deny takes the pods of "
            f"{listing(sorted(covered))} that no NetworkPolicy isolates for ingress as covered: "
            "a cluster-wide rule decides what a pod no rule names sends them; no cluster-wide "
            "ingress rule matches an address outside the cluster (its peers are pods), so "
            "those pods accept connections from outside the cluster unless a NetworkPolicy "
            "isolates them"
        )
    return found, notes


def _open_why(
    basis: Basis, namespace: str, pods: list[str], total: int, examples: dict[str, Verdict]
) -> str:
    """Why the pods ``pods`` of ``namespace`` (of its ``total``) accept ingress by default."""
    policies = len(basis.policies.in_namespace(namespace))
    example = examples.get(namespace)
    if not policies:
        if example is None:
            return (
                f"namespace {namespace} has no NetworkPolicy: its "
                f"{'pod accepts' if total == 1 else f'{total} pods accept'} connections from "
                f"everywhere ({listing(pods)})"
            )
        head = f"namespace {namespace} has no NetworkPolicy"
    else:
        if len(pods) < total:
            subject = f"{len(pods)} of its {total} pods"
        else:
            subject = "its pod" if total == 1 else f"its {total} pods"
        head = (
            f"namespace {namespace} has {policies} "
            f"{'NetworkPolicy' if policies == 1 else 'NetworkPolicies'}, but none selects "
            f"{subject} with Ingress in its policyTypes"
        )
        if example is None:
            they = "it accepts" if len(pods) == 1 else "they accept"
            return f"{head}, so {they} connections from everywhere: {listing(pods)}"
    them = "it" if len(pods) == 1 else "them"
    side = example.ingress
    passed = (
        f" ({side.passed_by} passes it to the NetworkPolicies, and none isolates "
        f"{example.destination})"
        if side is not None and side.passed_by is not None
        else ""
    )
    they = "it accepts" if len(pods) == 1 else "they accept"
    return (
        f"{head}, and no cluster-wide policy denies ingress to {them} by default: nothing "
        f"decides a connection from a pod no rule names to {example.destination} on "
        f"{example.port}/{example.protocol}{passed}, so {they} what no rule denies: "
        f"{listing(pods)}"
    )


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
