"""Policy ``namespaces-have-default-deny``: every namespace that gets workloads denies by default.

What counts (a stack policy: it reads every resource of the stack):

* A namespace gets workloads when the stack has a Deployment, StatefulSet, DaemonSet, ReplicaSet,
  ReplicationController, Job, CronJob or Pod in it (``metadata.namespace``; absent, the
  provider's ``namespace`` option, else ``default``). The configuration's ``namespaces`` adds
  namespaces whose workloads another stack or tool deploys; ``exemptNamespaces`` takes some out.
* A default deny for ingress is a NetworkPolicy of that namespace that selects every pod
  (``podSelector: {}`` or absent), has Ingress in its effective policyTypes (absent policyTypes
  mean Ingress, as the API server defaults them) and has no ingress rules (absent or ``[]``). A
  policy that selects every pod but admits something is not one: its rules are an allowance, and
  ``ingress: [{}]`` isolates while admitting everything. With ``egress: true`` in the
  configuration, a default deny for egress (the same with Egress and egress rules) is required
  too. One policy may be both, as podfence's ``deny-all`` is.

Policies the API server would refuse (see the engine's errors) are not counted: a cluster never
holds them. `podfence lint`'s no-default-deny is another check on purpose: it finds the pods that
no policy isolates for ingress (whatever rules isolate them), where this one asks, as the issue
did, for a policy that selects every pod and admits nothing. Both read the policy the same way
(:attr:`~podfence.reachability.policy.Policy.selects_every_pod`,
:meth:`~podfence.reachability.policy.Policy.isolates`).
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pydantic import field_validator

from podfence.errors import PodfenceError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import Workload, stack_objects
from podfence.reachability.policy import Policy
from podfence.spec.base import Flag, Spec, check_dns_label

__all__ = ["NAME", "POLICY", "DefaultDenyConfig", "is_default_deny", "validate"]

NAME = "namespaces-have-default-deny"


class DefaultDenyConfig(Spec):
    """The policy's configuration.

    Attributes:
        namespaces: namespaces that must have a default deny even though the stack deploys no
            workload into them; omitted, none.
        exempt_namespaces: namespaces that need none, workloads or not; omitted, none.
        egress: require a default deny for egress too; omitted, False (ingress only).
    """

    namespaces: tuple[str, ...] = ()
    exempt_namespaces: tuple[str, ...] = ()
    egress: Flag = False

    @field_validator("namespaces", "exempt_namespaces")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            check_dns_label(name, "namespace")
        return value


def is_default_deny(policy: Policy, direction: str) -> bool:
    """Whether ``policy`` isolates every pod of its namespace for ``direction`` and admits
    nothing in it (``direction`` is ``ingress`` or ``egress``)."""
    return policy.selects_every_pod and policy.isolates(direction) and not policy.rules(direction)


def _message(
    namespace: str, direction: str, workloads: list[Workload], near: list[Policy], egress: bool
) -> str:
    if workloads:
        named = ", ".join(w.describe() for w in workloads[:3])
        more = f" and {len(workloads) - 3} more" if len(workloads) > 3 else ""
        why = f"gets workloads ({named}{more})"
    else:
        why = "is named in the policy config's namespaces"
    kind = direction.capitalize()
    way = "in" if direction == "ingress" else "out"
    spec = f'"namespaces": ["{namespace}"]' + (', "egress": True' if egress else "")
    lines = [
        f"namespace {namespace} {why} but no NetworkPolicy of it denies {direction} by default: "
        f"add one that selects every pod (podSelector: {{}}), lists {kind} in policyTypes and "
        f"has no {direction} rules, so that only what other policies allow gets {way} "
        f'(podfence: DefaultDeny("{namespace}", {{{spec}}})).'
    ]
    lines += [
        f"{policy} selects every pod for {direction} but has {direction} rules: it allows, so it "
        "is not a default deny."
        for policy in near
    ]
    return " ".join(lines)


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    """Report each namespace (and direction) that needs a default deny and has none."""
    try:
        config = read_config(args, DefaultDenyConfig, NAME)
    except PodfenceError as error:
        report(str(error), None)
        return
    objects = stack_objects(args.resources)
    policies = objects.compiled().policies
    needed: dict[str, list[Workload]] = {}
    for workload in objects.workloads:
        needed.setdefault(workload.namespace, []).append(workload)
    for namespace in config.namespaces:
        needed.setdefault(namespace, [])
    for namespace in config.exempt_namespaces:
        needed.pop(namespace, None)
    directions = ("ingress", "egress") if config.egress else ("ingress",)
    for namespace, workloads in sorted(needed.items()):
        held = policies.in_namespace(namespace)
        for direction in directions:
            if any(is_default_deny(policy, direction) for policy in held):
                continue
            near = [p for p in held if p.selects_every_pod and p.rules(direction)]
            urn = workloads[0].resource.urn if workloads else None
            report(_message(namespace, direction, workloads, near, config.egress), urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every namespace that gets workloads has a default-deny NetworkPolicy (every pod "
        "selected, no rules) for ingress, and for egress when configured."
    ),
    validate=validate,
    config_schema=PolicyConfigSchema(
        {
            "namespaces": {
                "type": "array",
                "items": {"type": "string"},
                "description": "namespaces that need a default deny though the stack deploys "
                "no workload into them",
                "default": [],
            },
            "exemptNamespaces": {
                "type": "array",
                "items": {"type": "string"},
                "description": "namespaces that need no default deny",
                "default": [],
            },
            "egress": {
                "type": "boolean",
                "description": "require a default deny for egress too",
                "default": False,
            },
        }
    ),
)
