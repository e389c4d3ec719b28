"""Policy ``egress-deny-keeps-dns``: a pod whose egress is denied still reaches DNS.

Denying egress blocks name resolution unless a policy admits DNS. This stack policy proves it
with podfence's engine, as DefaultDeny means it: every pod must reach the DNS pods (default:
``k8s-app=kube-dns`` in ``kube-system``) on each DNS port (default 53/UDP and 53/TCP: both,
since DNS falls back to TCP for large answers). The pods checked:

* for each NetworkPolicy that isolates egress, a pod with the labels its podSelector asks for
  (matchLabels, the first value of each In, a value for each Exists), in its namespace;
* for each cluster-wide policy with egress rules (podfence's ClusterBaseline with egress, an
  AdminNetworkPolicy, ...), a pod its subject selects: in the first namespace of the stack
  (its Namespace objects, its workloads' and NetworkPolicies' namespaces) the subject
  selects, else in ``any-namespace`` when the subject selects a namespace labelled only with
  its name; with the labels its podSelector asks for;
* each workload of the stack (its pod template's labels).

Pods with the DNS pods' own namespace and labels are not checked. The rest are evaluated by
:func:`~podfence.reachability.lint.dns.dns_misses`, which `podfence lint`'s dns-blocked reads
too, against every NetworkPolicy and cluster-wide policy of the stack: a pod misses DNS where
the verdict is denied at its egress (its NetworkPolicies, an Admin-tier Deny, or for a pod no
NetworkPolicy isolates a Baseline-tier Deny) or at the DNS pods' ingress (likewise), on an
inventory of those pods and the stack's Namespace objects, with a stand-in DNS pod (the DNS
labels and ports, named ``dns`` and ``dns-tcp`` as CoreDNS names them so a rule naming the
port resolves, and an address inside no ipBlock or ``networks`` short of a whole family, so a
rule to ``0.0.0.0/0`` reaches it); a namespace the stack does not create carries only its
``kubernetes.io/metadata.name`` label (the explanation says when a verdict turns on that).
When no policy can deny a pod's egress or the DNS pods' ingress, nothing is evaluated. The
configuration's ``dns`` is DefaultDeny's ``dns`` object (``namespace``, ``podLabels``,
``ports``; its ``policyName`` is not read here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pydantic import Field

from podfence.errors import PodfenceError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import Compiled, StackObjects, denying, stack_objects
from podfence.policy_pack.words import selected_pods
from podfence.reachability import explain, load_cluster
from podfence.reachability.admin import ClusterPolicy
from podfence.reachability.lint.dns import DnsMiss, DnsTarget, dns_fix, dns_misses, dns_target
from podfence.reachability.model import NAME_LABEL
from podfence.spec.base import Spec
from podfence.spec.default_deny import DnsEgress
from podfence.testing.assertions import selector_labels

__all__ = ["NAME", "POLICY", "DnsConfig", "validate"]

NAME = "egress-deny-keeps-dns"


class DnsConfig(Spec):
    """The policy's configuration.

    Attributes:
        dns: where DNS is, as DefaultDeny's ``dns`` object; omitted, kube-system /
            k8s-app=kube-dns on 53/UDP and 53/TCP. Its ports must be numbers.
    """

    dns: DnsEgress = Field(default_factory=DnsEgress)

    def target(self) -> DnsTarget:
        """Where DNS is, for the engine (see :func:`~podfence.reachability.lint.dns.dns_target`).

        Raises:
            SpecError: a named port, or a protocol's every port: DNS needs a number to probe.
        """
        return dns_target(self.dns, f"policy config {NAME}.dns")


@dataclass
class _Probe:
    namespace: str
    labels: dict[str, str]
    stands_for: list[str] = field(default_factory=list)


def _probes(objects: StackObjects, compiled: Compiled, target: DnsTarget) -> list[_Probe]:
    """A probe per namespace and labels, what it stands for; the DNS pods' own are left out."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], _Probe] = {}

    def add(namespace: str, labels: dict[str, str], what: str) -> None:
        if target.matches(namespace, labels):
            return
        key = (namespace, tuple(sorted(labels.items())))
        found.setdefault(key, _Probe(namespace, labels)).stands_for.append(what)

    for policy in compiled.policies:
        if not policy.isolates("egress"):
            continue
        spec = compiled.objects[policy.ref].get("spec") or {}
        labels = selector_labels(spec.get("podSelector"))
        if policy.pod_selector.matches(labels):  # else the selector selects nothing at all
            add(policy.namespace, labels, f"as a pod {policy} selects: {selected_pods(policy)}")
    for cluster_policy in compiled.policies.cluster_policies:
        if cluster_policy.egress:
            probe = _subject_probe(objects, compiled, cluster_policy)
            if probe is not None:
                what = (
                    f"as a pod {cluster_policy.head} selects: {cluster_policy.subject.describe()}"
                )
                add(*probe, what)
    for workload in objects.workloads:
        labels = workload.pod["metadata"]["labels"]
        add(
            workload.namespace,
            dict(labels) if isinstance(labels, dict) else {},
            workload.describe(),
        )
    return list(found.values())


def _subject_probe(
    objects: StackObjects, compiled: Compiled, policy: ClusterPolicy
) -> tuple[str, dict[str, str]] | None:
    """A namespace and labels of a pod the policy's subject selects (see the module docstring);
    None when there is none among the stack's namespaces or ``any-namespace``."""
    subject = (compiled.objects[policy.ref].get("spec") or {}).get("subject") or {}
    pods = subject.get("pods") if isinstance(subject, dict) else None
    labels = selector_labels(pods.get("podSelector")) if isinstance(pods, dict) else {}
    if not policy.subject.pod_selector.matches(labels):
        return None  # the podSelector selects nothing at all
    known: dict[str, dict[str, str]] = {}
    for namespace in objects.namespaces:
        name = namespace["metadata"]["name"]
        known[name] = {**(namespace["metadata"].get("labels") or {}), NAME_LABEL: name}
    for name in [
        *(workload.namespace for workload in objects.workloads),
        *(p.namespace for p in compiled.policies),
        "any-namespace",
    ]:
        known.setdefault(name, {NAME_LABEL: name})
    return next(
        (
            (name, labels)
            for name, namespace_labels in known.items()
            if policy.subject.namespace_matches(name, namespace_labels)
        ),
        None,
    )


def _pod_name(labels: dict[str, str], taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", "-".join(v for _, v in sorted(labels.items())).lower())
    base = base.strip("-")[:50] or "any-pod"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name)
    return name


def _named(probes: list[_Probe]) -> dict[str, _Probe]:
    """Each probe by the key of its pod (``namespace/name``, a name from its labels)."""
    taken: dict[str, set[str]] = {}
    named: dict[str, _Probe] = {}
    for probe in probes:
        name = _pod_name(probe.labels, taken.setdefault(probe.namespace, set()))
        named[f"{probe.namespace}/{name}"] = probe
    return named


def _pod_objects(pods: dict[str, _Probe]) -> list[dict[str, Any]]:
    """A Pod object per probe (no IP, no ports: a source needs neither)."""
    return [
        {
            "kind": "Pod",
            "metadata": {
                "name": key.split("/", 1)[1],
                "namespace": probe.namespace,
                "labels": probe.labels,
            },
            "spec": {"containers": [{"name": "main"}]},
        }
        for key, probe in pods.items()
    ]


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    """Report the pods that cannot reach DNS on every DNS port: one violation per set of
    policies that keep them from it, missed ports and fix, with the engine's explanation for
    the first pod."""
    try:
        target = read_config(args, DnsConfig, NAME).target()
    except PodfenceError as error:
        report(str(error), None)
        return
    objects = stack_objects(args.resources)
    compiled = objects.compiled()
    probes = _named(_probes(objects, compiled, target))
    try:
        inventory = load_cluster([*objects.namespaces, *_pod_objects(probes)]).inventory
    except PodfenceError as error:
        report(f"cannot evaluate DNS egress: {error}", None)
        return
    groups: dict[tuple[tuple[str, ...], tuple[str, ...], str], list[DnsMiss]] = {}
    for miss in dns_misses(compiled.policies, inventory, target).misses:
        held = tuple(str(policy) for policy in miss.policies)
        groups.setdefault((held, miss.ports(), dns_fix(miss, target)), []).append(miss)
    for (_, missed, fix), misses in groups.items():
        first = misses[0]
        pods = ", ".join(
            f"{miss.pod.key} ({'; '.join(probes[miss.pod.key].stands_for)})" for miss in misses
        )
        isolated = ", ".join(str(policy) for policy in first.isolating)
        whose = f"pods isolated for egress by {isolated}" if isolated else "pods"
        lines = [
            f"{whose} cannot reach DNS ({target.describe()}) on {', '.join(missed)}: {pods}. "
            f"For {first.pod.key}:",
            *(explain(verdict) for verdict in first.verdicts),
            f"Fix: {fix}.",
        ]
        report("\n".join(lines), _urn(first, compiled))


def _urn(miss: DnsMiss, compiled: Compiled) -> str | None:
    """The policy to attach a miss to: the first that keeps the pod from DNS at its egress,
    else the first that denies it at the DNS pods' ingress."""
    at_dns = (ref for verdict in miss.verdicts for ref in denying(verdict.ingress))
    return compiled.urn([*miss.policies, *at_dns])


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every pod whose egress a NetworkPolicy or a cluster-wide policy denies still reaches "
        "DNS (kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP unless configured), as "
        "podfence's engine proves it."
    ),
    validate=validate,
    config_schema=PolicyConfigSchema(
        {
            "dns": {
                "type": "object",
                "description": "where DNS is: namespace, podLabels, ports (as DefaultDeny's dns)",
                "properties": {
                    "namespace": {"type": "string", "default": "kube-system"},
                    "podLabels": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "default": {"k8s-app": "kube-dns"},
                    },
                    "ports": {
                        "type": "array",
                        "items": {"type": ["integer", "string", "object"]},
                        "default": ["53/UDP", "53/TCP"],
                    },
                },
            }
        }
    ),
)
