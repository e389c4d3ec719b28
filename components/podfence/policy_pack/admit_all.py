"""Policy ``no-admit-all``: no NetworkPolicy admits all namespaces to all pods on all ports.

Such a rule undoes the namespace's default deny: every pod of the cluster reaches every pod of
the namespace on every port. The policy compiles the NetworkPolicy with podfence's engine (every
default settled as the API server settles it) and reports an ingress rule when all three hold:

* the policy selects every pod of its namespace: ``podSelector: {}`` (or absent);
* the rule admits every pod of every namespace: it has no ``from`` (absent or ``[]``: every
  source, addresses outside the cluster too), or one of its peers has a namespaceSelector that
  selects every namespace (``{}``, or only ``kubernetes.io/metadata.name`` Exists, a label the
  API server sets on every namespace) and no podSelector or an empty one
  (``{namespaceSelector: {}}`` and ``{namespaceSelector: {}, podSelector: {}}`` alike);
* the rule covers every port: no ``ports`` (absent or ``[]``), or an entry that covers every
  port of its protocol (no ``port``, or the range 1-65535).

Not reported: a peer without namespaceSelector (``{podSelector: {}}`` is every pod of the
policy's own namespace only), an ipBlock (``0.0.0.0/0`` is ``no-ingress-from-anywhere``'s
business), egress rules, and a direction the policy does not isolate (its rules are ignored).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from podfence.errors import InputError
from podfence.policy_pack.objects import NETWORK_POLICY, kubernetes_object
from podfence.policy_pack.words import object_key, selected_pods, written
from podfence.reachability.model import NAME_LABEL
from podfence.reachability.peers import PodPeer
from podfence.reachability.policy import Rule, parse_policy
from podfence.reachability.selectors import LabelSelector

__all__ = ["NAME", "POLICY", "every_namespace", "every_port", "validate"]

NAME = "no-admit-all"


def every_namespace(selector: LabelSelector) -> bool:
    """Whether a namespaceSelector selects every namespace: empty, or requiring only that
    ``kubernetes.io/metadata.name`` exists (every namespace carries it)."""
    if selector.match_labels:
        return False
    return all(
        requirement.key == NAME_LABEL and requirement.operator == "Exists"
        for requirement in selector.requirements
    )


def every_port(rule: Rule) -> str | None:
    """How ``rule`` covers every port (of a protocol), in words; None when it does not."""
    if rule.ports is None:
        return "every port of every protocol (no ports)"
    for index, port in enumerate(rule.ports):
        if port.port is None:
            return f"every {port.protocol} port (ports[{index}] has no port)"
        if port.port == 1 and port.end_port == 65535:
            return f"every {port.protocol} port (ports[{index}] is 1-65535)"
    return None


def _every_source(rule: Rule, raw: Any) -> tuple[str, str] | None:
    """(field suffix, words) for how ``rule`` admits every pod of every namespace, or None."""
    if rule.peers is None:
        return "", "has no from: it admits every pod of every namespace and every address"
    peers = raw.get("from") if isinstance(raw, dict) else None
    for index, peer in enumerate(rule.peers):
        if (
            isinstance(peer, PodPeer)
            and peer.namespace_selector is not None
            and every_namespace(peer.namespace_selector)
            and peer.pod_selector.is_empty
        ):
            shown = written(peers[index]) if isinstance(peers, list) else ""
            return f".from[{index}]", f"{shown} admits all pods in all namespaces"
    return None


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report each ingress rule that admits every pod of every namespace to every pod of the
    policy's namespace on every port."""
    if args.resource_type != NETWORK_POLICY:
        return
    obj = kubernetes_object(args)
    try:
        policy = parse_policy(obj)
    except InputError as error:
        args.not_applicable(f"the API server would refuse {object_key(obj)}: {error}")
        return
    if policy.ingress is None or not policy.pod_selector.is_empty:
        return
    raw_rules = (obj.get("spec") or {}).get("ingress") or []
    for rule in policy.ingress:
        ports = every_port(rule)
        source = _every_source(rule, raw_rules[rule.index])
        if ports is None or source is None:
            continue
        field, words = source
        report(
            f"NetworkPolicy {policy}: spec.ingress[{rule.index}]{field} {words} to "
            f"{selected_pods(policy)} on {ports}, which undoes any default deny of namespace "
            f"{policy.namespace}. Fix: select the source namespaces by name (namespaceSelector: "
            f"{{matchLabels: {{{NAME_LABEL}: <namespace>}}}}) or the source pods (podSelector), "
            "select the pods the rule is for (spec.podSelector), or list the ports.",
            None,
        )


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "No NetworkPolicy admits every pod of every namespace to every pod of its namespace on "
        "every port."
    ),
    validate=validate,
)
