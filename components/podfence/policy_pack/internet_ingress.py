"""Policy ``no-ingress-from-anywhere``: no ingress from 0.0.0.0/0 unless the policy is allowed by
name.

The policy compiles the NetworkPolicy with podfence's engine and reports each ingress rule (of a
policy that isolates ingress; other rules are ignored) that admits every address:

* a rule with no ``from`` (absent or ``[]``): it matches every source, 0.0.0.0/0 and ::/0
  included;
* a peer ``ipBlock`` whose cidr is the whole address space of its family (a /0: ``0.0.0.0/0``,
  ``::/0``), with or without ``except`` entries (carving private ranges out leaves the internet
  in).

Ports do not matter: a public service on 443 is exactly what must be allowed by name. The
configuration's ``allowed`` lists the NetworkPolicies (``namespace/name``) that may admit it.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pydantic import field_validator

from podfence.errors import InputError, PodfenceError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import NETWORK_POLICY, kubernetes_object
from podfence.policy_pack.words import object_key, selected_pods
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.policy import Rule, parse_policy
from podfence.spec.base import Spec
from podfence.validation import dns1123_label_problem, dns1123_subdomain_problem

__all__ = ["NAME", "POLICY", "InternetIngressConfig", "from_anywhere", "validate"]

NAME = "no-ingress-from-anywhere"


class InternetIngressConfig(Spec):
    """The policy's configuration.

    Attributes:
        allowed: the NetworkPolicies (``namespace/name``) that may admit ingress from anywhere;
            omitted, none.
    """

    allowed: tuple[str, ...] = ()

    @field_validator("allowed")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            namespace, slash, name = entry.partition("/")
            if (
                not slash
                or dns1123_label_problem(namespace) is not None
                or dns1123_subdomain_problem(name) is not None
            ):
                raise ValueError(f"{entry!r} must be namespace/name of a NetworkPolicy")
        return value


def from_anywhere(rule: Rule) -> list[tuple[str, str]]:
    """How an ingress rule admits every address: (field suffix, words) per way it does."""
    if rule.peers is None:
        return [("", "has no from: it admits every source, 0.0.0.0/0 and ::/0 included,")]
    return [
        (f".from[{index}]", f"ipBlock {peer.describe()} admits every address")
        for index, peer in enumerate(rule.peers)
        if isinstance(peer, IpBlockPeer) and peer.cidr.prefixlen == 0
    ]


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report each ingress rule that admits every address, unless its policy is allowed."""
    if args.resource_type != NETWORK_POLICY:
        return
    try:
        config = read_config(args, InternetIngressConfig, NAME)
    except PodfenceError as error:
        report(str(error), None)
        return
    obj = kubernetes_object(args)
    try:
        policy = parse_policy(obj)
    except InputError as error:
        args.not_applicable(f"the API server would refuse {object_key(obj)}: {error}")
        return
    if policy.ingress is None or str(policy) in config.allowed:
        return
    allowed = ", ".join(config.allowed) or "none"
    for rule in policy.ingress:
        for field, words in from_anywhere(rule):
            report(
                f"NetworkPolicy {policy}: spec.ingress[{rule.index}]{field} {words} to "
                f"{selected_pods(policy)} on {rule.describe_ports()}. Only the policies the "
                f"config's allowed list names may (now: {allowed}). Fix: admit the address "
                "ranges that need it, or if this policy is meant to be open to the internet, "
                f'add "{policy}" to allowed (pulumi preview --policy-pack-config).',
                None,
            )


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "No NetworkPolicy admits ingress from 0.0.0.0/0 (or ::/0, or from anywhere) unless the "
        "policy config allows it by name."
    ),
    validate=validate,
    config_schema=PolicyConfigSchema(
        {
            "allowed": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[^/]+/[^/]+$"},
                "description": "NetworkPolicies (namespace/name) that may admit ingress from "
                "anywhere",
                "default": [],
            }
        }
    ),
)
