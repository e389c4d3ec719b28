"""Egress isolation that blocks DNS: each pod isolated for egress must reach the DNS pods.

:func:`dns_misses` proves it with the engine; `podfence lint` (:func:`dns_blocked`) and the
policy pack's ``egress-deny-keeps-dns`` each word their report from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podfence.reachability.evaluate import evaluate
from podfence.reachability.inventory import Inventory
from podfence.reachability.lint.basis import Basis, free_address
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.model import NAME_LABEL, Address, Pod
from podfence.reachability.policy import Policy, PolicySet
from podfence.reachability.ports import ContainerPort
from podfence.reachability.traffic import Traffic
from podfence.reachability.verdict import PolicyRef, Verdict

__all__ = ["DnsCheck", "DnsMiss", "DnsTarget", "dns_blocked", "dns_fix", "dns_misses"]

#: Pod-like addresses the stand-in DNS pod may take, the first that is free (see
#: :func:`~podfence.reachability.lint.basis.free_address`).
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

    def matches(self, namespace: str | None, labels: Mapping[str, str]) -> bool:
        """Whether a pod of ``namespace`` with ``labels`` is a DNS pod."""
        return namespace == self.namespace and all(
            labels.get(key) == value for key, value in self.labels
        )


def _with_stand_in(
    policies: PolicySet, inventory: Inventory, target: DnsTarget
) -> tuple[Inventory, Pod, str]:
    """The inventory with a stand-in DNS pod, the stand-in, and the note that says so."""
    address = free_address(policies, inventory, _STAND_IN_ADDRESSES)
    ports = tuple(
        ContainerPort(port, protocol, _PORT_NAMES.get((port, protocol)))
        for port, protocol in target.ports
    )
    taken = {pod.name for pod in inventory.pods if pod.namespace == target.namespace}
    name, number = "kube-dns", 1
    while name in taken:  # a pod of that name that is no DNS pod
        number += 1
        name = f"kube-dns-{number}"
    stand_in = Pod(
        target.namespace,
        name,
        dict(target.labels),
        (address,) if address is not None else (),
        ports,
    )
    shown = ", ".join(port.describe() for port in ports)
    where = (
        f"IP {address} (outside every ipBlock of the policies short of a whole address family)"
        if address
        else "no IP"
    )
    defined = inventory.namespaces.get(target.namespace) is not None
    assumed = (
        ""
        if defined and target.namespace not in inventory.implicit_namespaces
        else f", in a namespace labelled only {NAME_LABEL}={target.namespace}"
    )
    note = (
        f"no pod of the inventory is {target.describe()}: DNS was checked against a stand-in "
        f"pod {stand_in.key} with those labels, ports {shown} and {where}{assumed}"
    )
    augmented = inventory.with_pods([stand_in])
    return augmented, augmented.pod(stand_in.key), note


@dataclass(frozen=True)
class DnsMiss:
    """A pod isolated for egress that cannot reach DNS.

    Attributes:
        pod: the pod.
        isolating: the policies that isolate it for egress.
        verdicts: the engine's verdict for each DNS pod and DNS port it cannot reach: denied
            at its egress (no rule of ``isolating`` admits it), at the DNS pod's ingress, or
            both.
    """

    pod: Pod
    isolating: tuple[Policy, ...]
    verdicts: tuple[Verdict, ...]

    def ports(self, direction: str | None = None) -> tuple[str, ...]:
        """The DNS ports it cannot reach, ``53/UDP``, in order, once each; with ``direction``,
        those denied on that side."""
        return tuple(
            dict.fromkeys(
                f"{verdict.port}/{verdict.protocol}"
                for verdict in self.verdicts
                if direction is None or _denied(verdict, direction)
            )
        )


def _denied(verdict: Verdict, direction: str) -> bool:
    side = verdict.side(direction)
    return side is not None and not side.allowed


@dataclass(frozen=True)
class DnsCheck:
    """What :func:`dns_misses` found.

    Attributes:
        misses: the pods that cannot reach DNS, in inventory order.
        dns_pods: the DNS pods they were evaluated against (the stand-in, when one was
            needed).
        note: what the reader must know: that a stand-in took the DNS pods' place; else None.
    """

    misses: tuple[DnsMiss, ...] = ()
    dns_pods: tuple[Pod, ...] = ()
    note: str | None = None


def dns_misses(
    policies: PolicySet, inventory: Inventory, target: DnsTarget | None = None
) -> DnsCheck:
    """The pods isolated for egress that cannot reach every DNS pod on each DNS port.

    Every pod of ``inventory`` that some policy isolates for egress (and that is no DNS pod
    itself) is evaluated by the engine (:func:`evaluate`) to each DNS pod on each of the
    target's ports; it misses DNS where the verdict is denied, at its own egress or at the DNS
    pod's ingress (name lookups fail either way). When the inventory has no DNS pod, a
    stand-in takes its place: the target's labels and ports (53/UDP named ``dns``, 53/TCP
    ``dns-tcp``, as CoreDNS names them, so a rule naming the port resolves) and an address no
    ipBlock short of a whole family holds (so a rule to ``0.0.0.0/0`` reaches it and a narrower
    one does not); the note says so. Pods no policy isolates for egress are not looked at.

    Args:
        policies: the NetworkPolicies.
        inventory: the pods to check and, when it has them, the DNS pods.
        target: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).
    """
    target = target or DnsTarget()
    sources = [
        (pod, isolating)
        for pod in inventory.pods
        if not target.matches(pod.namespace, pod.labels)
        and (isolating := policies.isolating(pod, "egress"))
    ]
    if not sources:
        return DnsCheck()
    dns_pods = [pod for pod in inventory.pods if target.matches(pod.namespace, pod.labels)]
    note = None
    if not dns_pods:
        inventory, stand_in, note = _with_stand_in(policies, inventory, target)
        dns_pods = [stand_in]
    misses = []
    decided: dict[tuple[str, frozenset[tuple[str, str]], tuple[Address, ...]], list[Verdict]] = {}
    for pod, isolating in sources:
        # The verdicts turn on the pod's namespace, labels and IPs only.
        key = (pod.namespace, frozenset(pod.labels.items()), pod.ips)
        if key not in decided:
            decided[key] = [
                verdict
                for dns in dns_pods
                for port, protocol in target.ports
                if not (
                    verdict := evaluate(policies, inventory, Traffic(pod, dns, port, protocol))
                ).allowed
            ]
        denied = decided[key]
        if denied:
            misses.append(DnsMiss(pod, isolating, tuple(denied)))
    return DnsCheck(tuple(misses), tuple(dns_pods), note)


def dns_blocked(basis: Basis, target: DnsTarget | None = None) -> tuple[list[Finding], list[str]]:
    """dns-blocked: the pods isolated for egress that cannot reach every DNS pod on each DNS
    port (:func:`dns_misses`), grouped by namespace, isolating policies and what blocks them.

    Args:
        basis: the policies, inventory and grid.
        target: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).

    Returns:
        The findings, and the notes (the stand-in, when one was needed).
    """
    target = target or DnsTarget()
    check = dns_misses(basis.policies, basis.inventory, target)
    groups: dict[tuple[str, tuple[PolicyRef, ...], str, str], list[str]] = {}
    names = listing([dns.key for dns in check.dns_pods])
    for miss in check.misses:
        isolating = tuple(policy.ref for policy in miss.isolating)
        why, fix = _why(miss, target, names), dns_fix(miss, target)
        groups.setdefault((miss.pod.namespace, isolating, why, fix), []).append(miss.pod.key)
    findings = []
    for (namespace, policies, why, fix), pods in groups.items():
        isolated = ", ".join(str(p) for p in policies)
        verb = "is" if len(pods) == 1 else "are"
        findings.append(
            Finding(
                CHECKS["dns-blocked"],
                namespace,
                f"{listing(pods)} {verb} isolated for egress by {isolated}, and {why}: name "
                "lookups fail",
                fix,
                policies,
                pods=tuple(pods),
            )
        )
    return findings, [check.note] if check.note else []


def _why(miss: DnsMiss, target: DnsTarget, names: str) -> str:
    """What blocks the pod (its egress, the DNS pods' ingress), in words that hold for every
    pod of its group."""
    parts = []
    egress = miss.ports("egress")
    if egress:
        them = "it" if len(miss.isolating) == 1 else "them"
        parts.append(
            f"no egress rule of {them} admits {', '.join(egress)} to the DNS pods "
            f"{target.describe()} ({names})"
        )
    ingress = miss.ports("ingress")
    if ingress:
        refs = dict.fromkeys(
            str(ref)
            for verdict in miss.verdicts
            if _denied(verdict, "ingress") and verdict.ingress is not None
            for ref in verdict.ingress.policy_refs
        )
        parts.append(
            f"the DNS pods {target.describe()} ({names}) are isolated for ingress by "
            f"{', '.join(refs)}, and no ingress rule of {'it' if len(refs) == 1 else 'them'} "
            f"admits the connection on {', '.join(ingress)}"
        )
    return "; ".join(parts)


def dns_fix(miss: DnsMiss, target: DnsTarget) -> str:
    """How to let the pod of ``miss`` (and those like it) reach DNS, in words: an egress rule
    to the DNS pods where its egress denies, an ingress rule at the DNS pods where theirs
    does."""
    fixes = []
    if miss.ports("egress"):
        labels = ", ".join(f"{k}: {v}" for k, v in target.labels)
        ports = ", ".join(
            f"{{protocol: {proto}, port: {number}}}" for number, proto in target.ports
        )
        fixes.append(
            f"allow egress to DNS in a policy selecting them: to: [{{namespaceSelector: "
            f"{{matchLabels: {{{NAME_LABEL}: {target.namespace}}}}}, podSelector: {{matchLabels: "
            f"{{{labels}}}}}}}], ports: [{ports}] (podfence's DefaultDeny with egress: true adds it as "
            "allow-dns-egress)"
        )
    ingress = miss.ports("ingress")
    if ingress:
        fixes.append(
            f"admit them on {', '.join(ingress)} in an ingress rule of a policy of namespace "
            f"{target.namespace} that selects the DNS pods"
        )
    return "; and ".join(fixes)
