"""Policy ``no-ingress-from-anywhere``: no ingress from 0.0.0.0/0 unless the policy is allowed by
name.

The policy compiles the NetworkPolicy with podfence's engine and reports each ingress rule (of a
policy that isolates ingress; other rules are ignored) that admits every address of a family,
as :func:`~podfence.reachability.lint.shapes.every_address` finds it (`podfence lint`'s
ingress-from-anywhere asks the same):

* a rule with no ``from`` (absent or ``[]``): it matches every source, 0.0.0.0/0 and ::/0
  included;
* a peer ``ipBlock`` whose cidr is the whole address space of its family (a /0: ``0.0.0.0/0``,
  ``::/0``), with or without ``except`` entries (carving private ranges out leaves the internet
  in), or ipBlocks whose cidrs together span it (``0.0.0.0/1`` and ``128.0.0.0/1``).

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

from podfence.errors import PodfenceError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import compiled_policy
from podfence.policy_pack.words import selected_pods
from podfence.reachability.lint.shapes import every_address
from podfence.spec.base import Spec
from podfence.validation import dns1123_label_problem, dns1123_subdomain_problem

__all__ = ["NAME", "POLICY", "InternetIngressConfig", "validate"]

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


def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Report each ingress rule that admits every address, unless its policy is allowed."""
    compiled = compiled_policy(args)
    if compiled is None:
        return
    try:
        config = read_config(args, InternetIngressConfig, NAME)
    except PodfenceError as error:
        report(str(error), None)
        return
    policy = compiled[0]
    if policy.ingress is None or str(policy) in config.allowed:
        return
    allowed = ", ".join(config.allowed) or "none"
    for rule in policy.ingress:
        field = f"spec.ingress[{rule.index}]"
        for anywhere in every_address(rule):
            words = anywhere.describe(field, f"{field}.from[{{}}]".format)
            report(
                f"NetworkPolicy {policy}: {words}, to {selected_pods(policy)} on "
                f"{rule.describe_ports()}. Only the policies the config's allowed list names may "
                f"(now: {allowed}). Fix: admit the address ranges that need it, or if this policy "
                "is meant to be open to the internet, add "
                f'"{policy}" to allowed (pulumi preview --policy-pack-config).',
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
