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

A cluster-wide policy of the stack (podfence's ClusterBaseline, or any AdminNetworkPolicy,
BaselineAdminNetworkPolicy or ClusterNetworkPolicy) counts as a default deny for a namespace and
direction when the Admin and Baseline tiers alone (the NetworkPolicies left out, as they are
above) deny every connection of a pod of the namespace with a pod no rule names in particular
(:class:`~podfence.reachability.lint.defaults.StandIn`; for egress, also with each address
outside the cluster that stands for the others), on every port (the probe ports stand for
them), and each deciding rule's policy selects every pod of the namespace (a subject of
``namespaces``, or of ``pods`` with an empty podSelector). So a Deny of every pod (for
egress, of every pod and address) counts wherever it stands, and the Allow, Accept and Pass
rules before it are the tier's exceptions, as allow policies are a NetworkPolicy default
deny's (ClusterBaseline's egress keeps DNS that way); an Allow of every pod before it, a Deny
of some ports or some namespaces only, or a subject of some pods does not count. An
Admin-tier Deny of every pod counts too (it is one NetworkPolicies cannot undo). Ingress from
outside the cluster is never part of it: a cluster-wide ingress rule matches pods only. The
namespace's labels are its Namespace object's in the stack, else only
``kubernetes.io/metadata.name``.

Policies the API server would refuse (see the engine's errors) are not counted: a cluster never
holds them. `podfence lint`'s no-default-deny is another check on purpose: it finds the pods that
no policy isolates for ingress (whatever rules isolate them), where this one asks, as the issue
did, for a policy that selects every pod and admits nothing. Both read the policy the same way
(:attr:`~podfence.reachability.policy.Policy.selects_every_pod`,
:meth:`~podfence.reachability.policy.Policy.isolates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pydantic import field_validator

from podfence.errors import PodfenceError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import Compiled, Workload, stack_objects
from podfence.reachability import load_cluster
from podfence.reachability.lint.basis import probe_addresses, probe_ports
from podfence.reachability.lint.defaults import StandIn, tier_denials
from podfence.reachability.policy import Policy, PolicySet
from podfence.reachability.tiers import PASS
from podfence.reachability.verdict import TierRuleRef, Verdict
from podfence.spec.base import Flag, Spec, check_dns_label

__all__ = [
    "NAME",
    "POLICY",
    "DefaultDenyConfig",
    "cluster_default_deny",
    "is_default_deny",
    "validate",
]

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


def _near_misses(held: Sequence[Policy], direction: str) -> list[Policy]:
    """The policies of ``held`` that select every pod for ``direction`` but have rules."""
    return [policy for policy in held if policy.selects_every_pod and policy.rules(direction)]


def is_default_deny(policy: Policy, direction: str) -> bool:
    """Whether ``policy`` isolates every pod of its namespace for ``direction`` and admits
    nothing in it (``direction`` is ``ingress`` or ``egress``)."""
    return policy.selects_every_pod and policy.isolates(direction) and not policy.rules(direction)


def _connection(verdict: Verdict, direction: str, namespace: str) -> str:
    """``a connection from a pod no rule names to a pod of shop on 1/TCP``."""
    traffic = verdict.traffic
    port = f"{traffic.port}/{traffic.protocol}"
    if direction == "ingress":
        return f"a connection from a pod no rule names to a pod of {namespace} on {port}"
    other = "a pod no rule names" if traffic.destination.namespace else traffic.destination.key
    return f"a connection from a pod of {namespace} to {other} on {port}"


def cluster_default_deny(
    compiled: Compiled, namespaces: list[dict[str, Any]], namespace: str, direction: str
) -> tuple[TierRuleRef, ...] | str:
    """Whether the stack's cluster-wide policies deny ``direction`` by default for every pod of
    ``namespace`` (see the module docstring): the rules that do, or why they do not.

    Args:
        compiled: the stack's policies (only the cluster-wide ones are read).
        namespaces: the stack's Namespace objects (their labels).
        namespace: the namespace.
        direction: ``ingress`` or ``egress``.

    Raises:
        InputError: a Namespace object the engine refuses.
    """
    tiers = PolicySet((), compiled.policies.cluster_policies)
    pod = {"kind": "Pod", "metadata": {"name": "any-pod", "namespace": namespace}}
    inventory = load_cluster([*namespaces, pod]).inventory
    subject = inventory.pod(f"{namespace}/any-pod")
    stand_in = StandIn.build(tiers, inventory)
    ports = probe_ports(tiers, stand_in.inventory)
    addresses = probe_addresses(tiers, stand_in.inventory) if direction == "egress" else []
    rules, spared = tier_denials(
        stand_in.verdicts(tiers, subject, direction, ports, addresses), direction
    )
    if spared is not None:
        side = spared.side(direction)
        decided = side.decided_by if side is not None else None
        connection = _connection(spared, direction, namespace)
        if decided is None:
            return f"no cluster-wide rule decides {connection}"
        return f"{connection} is {'passed' if decided.action == PASS else 'allowed'} by {decided}"
    by_ref = {policy.ref: policy for policy in tiers.cluster_policies}
    for rule in rules:
        policy = by_ref[rule.policy_ref]
        if not policy.subject.pod_selector.is_empty:
            return (
                f"{rule} denies it for the pods its subject selects only "
                f"({policy.subject.describe()})"
            )
    return tuple(rules)


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
    compiled = objects.compiled()
    policies = compiled.policies
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
            message = _message(
                namespace, direction, workloads, _near_misses(held, direction), config.egress
            )
            if policies.cluster_policies:
                try:
                    tiers = cluster_default_deny(compiled, objects.namespaces, namespace, direction)
                except PodfenceError as error:
                    report(f"cannot evaluate the cluster-wide policies: {error}", None)
                    return
                if not isinstance(tiers, str):
                    continue
                message += (
                    f" No cluster-wide policy denies {direction} for every pod of it by default "
                    f"either: {tiers}."
                )
            urn = workloads[0].resource.urn if workloads else None
            report(message, urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every namespace that gets workloads has a default-deny NetworkPolicy (every pod "
        "selected, no rules), or a cluster-wide policy that denies every pod of it by default, "
        "for ingress, and for egress when configured."
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
