"""Egress isolation that blocks DNS: each pod isolated for egress must reach the DNS pods."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from podfence.reachability.evaluate import evaluate
from podfence.reachability.inventory import Inventory
from podfence.reachability.lint.basis import Basis
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.model import NAME_LABEL, Address, Pod
from podfence.reachability.peers import IpBlockPeer
from podfence.reachability.ports import ContainerPort
from podfence.reachability.traffic import Traffic
from podfence.reachability.verdict import PolicyRef

__all__ = ["DnsTarget", "dns_blocked"]

#: Pod-like addresses the stand-in DNS pod may take, the first that no ipBlock names.
_STAND_IN_ADDRESSES = ("10.244.0.10", "172.20.0.10", "100.64.0.10", "192.168.240.10")
#: CoreDNS's names for its DNS ports.
_PORT_NAMES = {(53, "UDP"): "dns", (53, "TCP"): "dns-tcp"}


@dataclass(frozen=True)
class DnsTarget:
    """Where the cluster's DNS is.

    Attributes:
        namespace: its namespace (default ``kube-system``).
        labels: the labels of its pods (default ``k8s-app=kube-dns``, as kube-dns and CoreDNS
            are labelled).
        ports: the (port, protocol) pairs a pod must reach (default 53/UDP and 53/TCP: DNS
            falls back to TCP for answers too large for UDP).
    """

    namespace: str = "kube-system"
    labels: tuple[tuple[str, str], ...] = (("k8s-app", "kube-dns"),)
    ports: tuple[tuple[int, str], ...] = ((53, "UDP"), (53, "TCP"))

    def describe(self) -> str:
        """``kube-system/k8s-app=kube-dns``."""
        return f"{self.namespace}/{','.join(f'{k}={v}' for k, v in self.labels)}"

    def matches(self, pod: Pod) -> bool:
        """Whether ``pod`` is a DNS pod."""
        return pod.namespace == self.namespace and all(
            pod.labels.get(key) == value for key, value in self.labels
        )


def _stand_in_address(basis: Basis) -> Address | None:
    """An address for the stand-in: no pod's, and inside no ipBlock short of a whole family
    (one that spans a family contains every address, the real pod's too)."""
    cidrs = [
        peer.cidr
        for policy in basis.policies
        for direction in ("ingress", "egress")
        for rule in policy.rules(direction) or ()
        for peer in rule.peers or ()
        if isinstance(peer, IpBlockPeer) and peer.cidr.prefixlen > 0
    ]
    for text in _STAND_IN_ADDRESSES:
        address = ipaddress.ip_address(text)
        if basis.inventory.with_ip(address) is None and not any(address in c for c in cidrs):
            return address
    return None


def _targets(basis: Basis, target: DnsTarget) -> tuple[Inventory, list[Pod], str | None]:
    """The inventory to evaluate on, the DNS pods, and a note when a stand-in is used."""
    inventory = basis.inventory
    pods = [pod for pod in inventory.pods if target.matches(pod)]
    if pods:
        return inventory, pods, None
    address = _stand_in_address(basis)
    ports = tuple(
        ContainerPort(port, protocol, _PORT_NAMES.get((port, protocol)))
        for port, protocol in target.ports
    )
    stand_in = Pod(
        target.namespace,
        "kube-dns",
        dict(target.labels),
        (address,) if address is not None else (),
        ports,
    )
    namespace = inventory.namespaces.get(target.namespace)
    shown = ", ".join(port.describe() for port in ports)
    where = (
        f"IP {address} (outside every ipBlock of the policies short of a whole address family)"
        if address
        else "no IP"
    )
    assumed = (
        ""
        if namespace is not None and target.namespace not in inventory.implicit_namespaces
        else f", in a namespace labelled only {NAME_LABEL}={target.namespace}"
    )
    note = (
        f"no pod of the inventory is {target.describe()}: DNS was checked against a stand-in "
        f"pod {target.namespace}/kube-dns with those labels, ports {shown} and {where}{assumed}"
    )
    augmented = Inventory(inventory.namespaces.values(), [*inventory.pods, stand_in])
    return augmented, [augmented.pod(stand_in.key)], note


def dns_blocked(basis: Basis, target: DnsTarget | None = None) -> tuple[list[Finding], list[str]]:
    """dns-blocked: the pods isolated for egress that cannot reach every DNS pod on each DNS
    port, grouped by namespace, isolating policies and blocked ports.

    Each pod is evaluated by the engine (:func:`evaluate`); only the egress side counts (an
    ingress policy at the DNS pods is not egress isolation). When the inventory has no DNS pod,
    a stand-in takes its place, and a note says so.

    Args:
        basis: the policies, inventory and grid.
        target: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).

    Returns:
        The findings, and the notes (the stand-in, when one was needed).
    """
    target = target or DnsTarget()
    grid = basis.grid
    sources = [
        (index, pod)
        for index, pod in enumerate(basis.inventory.pods)
        if grid.egress_isolating[grid.table.pod_class[index]] and not target.matches(pod)
    ]
    if not sources:
        return [], []
    inventory, dns_pods, note = _targets(basis, target)
    groups: dict[tuple[str, tuple[PolicyRef, ...], tuple[str, ...]], list[str]] = {}
    decided: dict[tuple[str, frozenset[tuple[str, str]]], tuple[str, ...]] = {}
    for index, pod in sources:
        key = (pod.namespace, frozenset(pod.labels.items()))
        blocked = decided.get(key)
        if blocked is None:
            found: dict[str, None] = {}
            for dns in dns_pods:
                for port, protocol in target.ports:
                    verdict = evaluate(basis.policies, inventory, Traffic(pod, dns, port, protocol))
                    if verdict.egress is not None and not verdict.egress.allowed:
                        found.setdefault(f"{port}/{protocol}")
            blocked = decided[key] = tuple(found)
        if blocked:
            policies = tuple(p.ref for p in grid.egress_isolating[grid.table.pod_class[index]])
            groups.setdefault((pod.namespace, policies, blocked), []).append(pod.key)
    findings = []
    names = listing([dns.key for dns in dns_pods])
    for (namespace, policies, blocked), pods in groups.items():
        isolating = ", ".join(str(p) for p in policies)
        pods_text = listing(pods)
        verb = "is" if len(pods) == 1 else "are"
        why = (
            f"{pods_text} {verb} isolated for egress by {isolating}, and no egress rule of "
            f"{'it' if len(policies) == 1 else 'them'} admits {', '.join(blocked)} to the DNS "
            f"pods {target.describe()} ({names}): name lookups fail"
        )
        dns_labels = ", ".join(f"{k}: {v}" for k, v in target.labels)
        ports = ", ".join(
            f"{{protocol: {proto}, port: {number}}}" for number, proto in target.ports
        )
        fix = (
            f"allow egress to DNS in a policy selecting them: to: [{{namespaceSelector: "
            f"{{matchLabels: {{{NAME_LABEL}: {target.namespace}}}}}, podSelector: {{matchLabels: "
            f"{{{dns_labels}}}}}}}], ports: [{ports}] (podfence's DefaultDeny adds it as "
            "allow-dns-egress)"
        )
        findings.append(
            Finding(CHECKS["dns-blocked"], namespace, why, fix, policies, pods=tuple(pods))
        )
    return findings, [note] if note else []
