"""Policy ``egress-deny-keeps-dns``: a pod isolated for egress still reaches DNS.

Denying egress blocks name resolution unless a policy admits DNS. This stack policy proves it
with podfence's engine, as DefaultDeny means it: every pod isolated for egress must reach the
DNS pods (default: ``k8s-app=kube-dns`` in ``kube-system``) on each DNS port (default 53/UDP and
53/TCP: both, since DNS falls back to TCP for large answers). The pods checked:

* for each NetworkPolicy that isolates egress, a pod with the labels its podSelector asks for
  (matchLabels, the first value of each In, a value for each Exists), in its namespace;
* each workload of the stack (its pod template's labels), when a policy isolates it for egress.

They are evaluated against every NetworkPolicy of the stack (an ingress policy in the DNS
namespace counts too) on an inventory of those pods, the DNS pod (declaring the DNS ports, named
``dns`` and ``dns-tcp`` as CoreDNS names them, so a rule naming the port resolves) and the
stack's Namespace objects; a namespace the stack does not create carries only its
``kubernetes.io/metadata.name`` label (the explanation says when a verdict turns on that). The
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

from podfence.errors import PodfenceError, SpecError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.objects import Compiled, StackObjects, stack_objects
from podfence.policy_pack.words import selected_pods
from podfence.reachability import Inventory, Verdict, evaluate, explain, load_cluster, traffic
from podfence.reachability.model import NAME_LABEL
from podfence.reachability.policy import Policy
from podfence.spec.base import Spec
from podfence.spec.default_deny import DnsEgress
from podfence.testing.assertions import selector_labels

__all__ = ["DNS_POD", "DNS_PORT_NAMES", "NAME", "POLICY", "DnsConfig", "validate"]

NAME = "egress-deny-keeps-dns"
#: What CoreDNS (and kube-dns) name their ports; the DNS pod declares them so.
DNS_PORT_NAMES = {(53, "UDP"): "dns", (53, "TCP"): "dns-tcp"}
#: The DNS pod's name in the inventory the pods are evaluated on.
DNS_POD = "dns"


class DnsConfig(Spec):
    """The policy's configuration.

    Attributes:
        dns: where DNS is, as DefaultDeny's ``dns`` object; omitted, kube-system /
            k8s-app=kube-dns on 53/UDP and 53/TCP. Its ports must be numbers.
    """

    dns: DnsEgress = Field(default_factory=DnsEgress)

    def probe_ports(self) -> list[tuple[int, str]]:
        """The DNS ports as (number, protocol); a range is probed at its first port.

        Raises:
            SpecError: a named port, or a protocol's every port: DNS needs a number to probe.
        """
        out: list[tuple[int, str]] = []
        for index, port in enumerate(self.dns.ports):
            if not isinstance(port.port, int):
                raise SpecError(
                    f"policy config {NAME}.dns.ports[{index}]: {port.describe()} is not a port "
                    "number; give DNS's port numbers, e.g. 53/UDP"
                )
            out.append((port.port, port.protocol.value))
        return out


@dataclass
class _Probe:
    namespace: str
    labels: dict[str, str]
    stands_for: list[str] = field(default_factory=list)


def _probes(objects: StackObjects, compiled: Compiled) -> list[_Probe]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], _Probe] = {}

    def add(namespace: str, labels: dict[str, str], what: str) -> None:
        key = (namespace, tuple(sorted(labels.items())))
        found.setdefault(key, _Probe(namespace, labels)).stands_for.append(what)

    for policy in compiled.policies:
        if policy.egress is None:
            continue
        spec = compiled.objects[policy.ref].get("spec") or {}
        labels = selector_labels(spec.get("podSelector"))
        if policy.pod_selector.matches(labels):  # else the selector selects nothing at all
            add(policy.namespace, labels, f"as a pod {policy} selects: {selected_pods(policy)}")
    for workload in objects.workloads:
        labels = workload.pod["metadata"]["labels"]
        add(
            workload.namespace,
            dict(labels) if isinstance(labels, dict) else {},
            workload.describe(),
        )
    return list(found.values())


def _pod_name(labels: dict[str, str], taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", "-".join(v for _, v in sorted(labels.items())).lower())
    base = base.strip("-")[:50] or "any-pod"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name)
    return name


def _inventory(
    objects: StackObjects, probes: list[_Probe], dns: DnsEgress, ports: list[tuple[int, str]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Namespace and Pod objects (the DNS pod first), and each probe's pod key."""
    container_ports = [
        {"containerPort": number, "protocol": protocol}
        | (
            {"name": DNS_PORT_NAMES[(number, protocol)]}
            if (number, protocol) in DNS_PORT_NAMES
            else {}
        )
        for number, protocol in ports
    ]
    pods: list[dict[str, Any]] = [
        {
            "kind": "Pod",
            "metadata": {
                "name": DNS_POD,
                "namespace": dns.namespace,
                "labels": dict(dns.pod_labels),
            },
            "spec": {"containers": [{"name": "dns", "ports": container_ports}]},
        }
    ]
    taken: dict[str, set[str]] = {dns.namespace: {DNS_POD}}
    keys: list[str] = []
    for probe in probes:
        name = _pod_name(probe.labels, taken.setdefault(probe.namespace, set()))
        keys.append(f"{probe.namespace}/{name}")
        pods.append(
            {
                "kind": "Pod",
                "metadata": {"name": name, "namespace": probe.namespace, "labels": probe.labels},
                "spec": {"containers": [{"name": "main"}]},
            }
        )
    return [*objects.namespaces, *pods], keys


def _fix(dns: DnsEgress, ports: list[tuple[int, str]]) -> str:
    labels = ", ".join(f"{k}: {v}" for k, v in sorted(dns.pod_labels.items()))
    listed = " and ".join(f"{number}/{protocol}" for number, protocol in ports)
    return (
        f"Fix: add an egress rule for these pods to namespaceSelector {{matchLabels: "
        f"{{{NAME_LABEL}: {dns.namespace}}}}} with podSelector {{matchLabels: {{{labels}}}}} on "
        f"{listed} (podfence's DefaultDeny with egress: true adds allow-dns-egress)."
    )


@dataclass
class _Failure:
    """The probes isolated for egress by the same policies that miss DNS on the same ports."""

    isolating: tuple[Policy, ...]
    ports: tuple[str, ...]
    probes: list[tuple[str, _Probe]] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


def _failures(
    compiled: Compiled,
    inventory: Inventory,
    probes: list[_Probe],
    keys: list[str],
    dns_key: str,
    ports: list[tuple[int, str]],
) -> list[_Failure]:
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], _Failure] = {}
    for probe, key in zip(probes, keys, strict=True):
        isolating = compiled.policies.isolating(inventory.pod(key), "egress")
        if not isolating:
            continue
        denied = [
            verdict
            for number, protocol in ports
            if not (
                verdict := evaluate(
                    compiled.policies, inventory, traffic(inventory, key, dns_key, number, protocol)
                )
            ).allowed
        ]
        if not denied:
            continue
        shown = tuple(f"{v.port}/{v.protocol}" for v in denied)
        group = (tuple(str(policy) for policy in isolating), shown)
        failure = found.setdefault(group, _Failure(isolating, shown, verdicts=denied))
        failure.probes.append((key, probe))
    return list(found.values())


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    """Report the pods isolated for egress that cannot reach DNS on every DNS port: one
    violation per set of isolating policies, with the engine's explanation for the first pod."""
    try:
        config = read_config(args, DnsConfig, NAME)
        ports = config.probe_ports()
    except PodfenceError as error:
        report(str(error), None)
        return
    dns = config.dns
    objects = stack_objects(args.resources)
    compiled = objects.compiled()
    probes = _probes(objects, compiled)
    inventory_objects, keys = _inventory(objects, probes, dns, ports)
    try:
        inventory = load_cluster(inventory_objects).inventory
    except PodfenceError as error:
        report(f"cannot evaluate DNS egress: {error}", None)
        return
    where = ", ".join(f"{k}={v}" for k, v in sorted(dns.pod_labels.items()))
    dns_key = f"{dns.namespace}/{DNS_POD}"
    for failure in _failures(compiled, inventory, probes, keys, dns_key, ports):
        by = ", ".join(str(policy) for policy in failure.isolating)
        pods = ", ".join(f"{key} ({'; '.join(probe.stands_for)})" for key, probe in failure.probes)
        lines = [
            f"pods isolated for egress by {by} cannot reach DNS ({dns.namespace}/{where}) on "
            f"{', '.join(failure.ports)}: {pods}. For {failure.probes[0][0]}:",
            *(explain(verdict) for verdict in failure.verdicts),
            _fix(dns, ports),
        ]
        report("\n".join(lines), compiled.urns.get(failure.isolating[0].ref))


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every pod isolated for egress still reaches DNS (kube-system/k8s-app=kube-dns on 53/UDP "
        "and 53/TCP unless configured), as podfence's engine proves it."
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
