"""Policy ``no-admit-all``: no NetworkPolicy admits all namespaces to all pods on all ports.

Such a rule undoes the namespace's default deny: every pod of the cluster reaches every pod of
the namespace on every port. The policy compiles the NetworkPolicy with podfence's engine (every
default settled as the API server settles it) and reports an ingress rule when all three hold:

* the policy selects every pod of its namespace: ``podSelector: {}`` (or absent) — the
  subject the issue asks about ("no policy admits all namespaces to all pods on all ports");
  `podfence lint`'s all-namespaces-all-ports asks the same of any rule of any policy;
* the rule admits every pod of every namespace (:func:`~podfence.reachability.lint.shapes.
  every_pod_peers`): it has no ``from`` (absent or ``[]``: every source, addresses outside the
  cluster too), or a peer whose namespaceSelector selects every namespace (``{}``, or only
  ``kubernetes.io/metadata.name`` Exists, a label the API server sets on every namespace) and
  whose podSelector is absent or empty;
* the rule covers every port of a protocol (:func:`~podfence.reachability.lint.shapes.
  every_port`): no ``ports``, an entry of the protocol without a port, or entries whose ranges
  together cover 1-65535.

Not reported: a peer without namespaceSelector (``{podSelector: {}}`` is every pod of the
policy's own namespace only), an ipBlock (``0.0.0.0/0`` is ``no-ingress-from-anywhere``'s
business), egress rules, and a direction the policy does not isolate (its rules are ignored).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from podfence.policy_pack.objects import compiled_policy
from podfence.policy_pack.words import selected_pods, written
from podfence.reachability.lint.shapes import every_pod_peers, every_port
from podfence.reachability.model import NAME_LABEL

__all__ = ["NAME", "POLICY", "validate"]

NAME = "no-admit-all"


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report each ingress rule that admits every pod of every namespace to every pod of the
    policy's namespace on every port of a protocol."""
    compiled = compiled_policy(args)
    if compiled is None:
        return
    policy, obj = compiled
    if policy.ingress is None or not policy.selects_every_pod:
        return
    raw_rules = (obj.get("spec") or {}).get("ingress") or []
    for rule in policy.ingress:
        ports = every_port(rule)
        peers = every_pod_peers(rule)
        if ports is None or not peers:
            continue
        index = peers[0]
        if index is None:
            where = " has no from: it admits every pod of every namespace and every address"
        else:
            written_peers = raw_rules[rule.index].get("from")
            where = (
                f".from[{index}] {written(written_peers[index])} admits all pods in all namespaces"
            )
        report(
            f"NetworkPolicy {policy}: spec.ingress[{rule.index}]{where} to "
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
