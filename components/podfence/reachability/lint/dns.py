"""Egress isolation that blocks DNS: each pod isolated for egress must reach the DNS pods.

:func:`dns_misses` proves it with the engine; `podfence lint` (:func:`dns_blocked`) and the
policy pack's ``egress-deny-keeps-dns`` each word their report from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from podfence.errors import SpecError
from podfence.reachability.admin import CLUSTER_NETWORK_POLICY
from podfence.reachability.evaluate import evaluate
from podfence.reachability.inventory import Inventory
from podfence.reachability.lint.basis import Basis, free_address
from podfence.reachability.lint.dead import listing
from podfence.reachability.lint.findings import CHECKS, Finding
from podfence.reachability.model import NAME_LABEL, Address, Pod
from podfence.reachability.policy import Policy, PolicySet
from podfence.reachability.ports import ContainerPort
from podfence.reachability.tiers import ACCEPT, ADMIN, ALLOW, BASELINE
from podfence.reachability.traffic import Traffic
from podfence.reachability.verdict import ClusterPolicyRef, PolicyRef, TierRuleRef, Verdict

if TYPE_CHECKING:
    from podfence.spec.default_deny import DnsEgress

__all__ = [
    "DnsCheck",
    "DnsMiss",
    "DnsTarget",
    "dns_blocked",
    "dns_fix",
    "dns_misses",
    "dns_target",
]

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


def dns_target(dns: DnsEgress, field: str) -> DnsTarget:
    """Where DNS is, from DefaultDeny's ``dns`` object (also ClusterBaseline's, and the policy
    pack's configuration): its namespace, its pod labels, and each port as a number to probe
    (a range at its first port).

    A port by name, or a protocol's every port (``all/UDP``), names no number the check can
    probe: it is an error, whatever pods the inventory holds (the stand-in DNS pod declares
    only the ports it is given).

    Args:
        dns: the object.
        field: where it was written, for the error (``firewall.defaultDeny.dns``).

    Raises:
        SpecError: a port without a number, naming ``<field>.ports[<index>]``.
    """
    ports: list[tuple[int, str]] = []
    for index, port in enumerate(dns.ports):
        if not isinstance(port.port, int):
            raise SpecError(
                f"{field}.ports[{index}]: {port.describe()} is not a port number; give DNS's "
                "port numbers, e.g. 53/UDP"
            )
        ports.append((port.port, port.protocol.value))
    return DnsTarget(dns.namespace, tuple(sorted(dns.pod_labels.items())), tuple(ports))


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
    """A pod that cannot reach DNS.

    Attributes:
        pod: the pod.
        isolating: the NetworkPolicies that isolate it for egress (none when none does).
        verdicts: the engine's verdict for each DNS pod and DNS port it cannot reach: denied
            at its egress (by a NetworkPolicy isolating it or by a cluster-wide rule), at the
            DNS pod's ingress, or both.
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

    def denials(self, direction: str) -> dict[TierRuleRef | None, tuple[str, ...]]:
        """What denies the side ``direction``, with the DNS ports it denies there: each
        cluster-wide rule that decides a Deny, or None for the NetworkPolicies (that isolate,
        and admit nothing of it); in the order the verdicts meet them."""
        found: dict[TierRuleRef | None, dict[str, None]] = {}
        for verdict in self.verdicts:
            side = verdict.side(direction)
            if side is not None and not side.allowed:
                ports = found.setdefault(side.decided_by, {})
                ports.setdefault(f"{verdict.port}/{verdict.protocol}")
        return {rule: tuple(ports) for rule, ports in found.items()}

    @property
    def policies(self) -> tuple[PolicyRef | ClusterPolicyRef, ...]:
        """The policies that keep it from DNS at its egress: those that isolate it, then those
        whose rule denies its egress, once each."""
        found: dict[PolicyRef | ClusterPolicyRef, None] = dict.fromkeys(
            policy.ref for policy in self.isolating
        )
        for rule in self.denials("egress"):
            if rule is not None:
                found.setdefault(rule.policy_ref)
        return tuple(found)


def _denied(verdict: Verdict, direction: str) -> bool:
    side = verdict.side(direction)
    return side is not None and not side.allowed


@dataclass(frozen=True)
class DnsCheck:
    """What :func:`dns_misses` found.

    Attributes:
        misses: the pods that cannot reach DNS, in inventory order.
        dns_pods: the DNS pods they were evaluated against (the stand-in, when one was
            needed); none when no policy could deny DNS to any pod.
        note: what the reader must know: that a stand-in took the DNS pods' place; else None.
    """

    misses: tuple[DnsMiss, ...] = ()
    dns_pods: tuple[Pod, ...] = ()
    note: str | None = None


def _restricted(policies: PolicySet, pod: Pod, direction: str) -> bool:
    """Whether some policy may deny ``pod`` something in ``direction``: a NetworkPolicy isolates
    it, or a cluster-wide policy of either tier selects it and has rules of that direction."""
    return bool(policies.isolating(pod, direction)) or any(
        policy.rules(direction) and policy.selects(pod) for policy in policies.cluster_policies
    )


def dns_misses(
    policies: PolicySet, inventory: Inventory, target: DnsTarget | None = None
) -> DnsCheck:
    """The pods that cannot reach every DNS pod on each DNS port.

    Every pod of ``inventory`` (but the DNS pods themselves) is evaluated by the engine
    (:func:`evaluate`) to each DNS pod on each of the target's ports; it misses DNS where the
    verdict is denied (name lookups fail either way): at its own egress, by the NetworkPolicies
    that isolate it or by a cluster-wide rule (an Admin-tier Deny, or for a pod no
    NetworkPolicy isolates a Baseline-tier Deny, such as a ClusterBaseline that denies egress
    and keeps no DNS), or at the DNS pod's ingress, likewise. When the inventory has no DNS
    pod, a stand-in takes its place: the target's labels and ports (53/UDP named ``dns``,
    53/TCP ``dns-tcp``, as CoreDNS names them, so a rule naming the port resolves) and an
    address no ipBlock or ``networks`` short of a whole family holds (so a rule to
    ``0.0.0.0/0`` reaches it and a narrower one does not); the note says so. When no policy
    can deny any pod's egress and none the DNS pods' ingress, nothing is evaluated (every
    verdict is allowed) and no stand-in is needed.

    Args:
        policies: the NetworkPolicies and cluster-wide policies.
        inventory: the pods to check and, when it has them, the DNS pods.
        target: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).
    """
    target = target or DnsTarget()
    sources = [pod for pod in inventory.pods if not target.matches(pod.namespace, pod.labels)]
    dns_pods = [pod for pod in inventory.pods if target.matches(pod.namespace, pod.labels)]
    note = None
    if not dns_pods:
        augmented, stand_in, note = _with_stand_in(policies, inventory, target)
        dns_pods = [stand_in]
    else:
        augmented = inventory
    if not any(_restricted(policies, pod, "egress") for pod in sources) and not any(
        _restricted(policies, dns, "ingress") for dns in dns_pods
    ):
        return DnsCheck()
    misses = []
    decided: dict[tuple[str, frozenset[tuple[str, str]], tuple[Address, ...]], list[Verdict]] = {}
    for pod in sources:
        # The verdicts turn on the pod's namespace, labels and IPs only.
        key = (pod.namespace, frozenset(pod.labels.items()), pod.ips)
        if key not in decided:
            decided[key] = [
                verdict
                for dns in dns_pods
                for port, protocol in target.ports
                if not (
                    verdict := evaluate(policies, augmented, Traffic(pod, dns, port, protocol))
                ).allowed
            ]
        denied = decided[key]
        if denied:
            misses.append(DnsMiss(pod, policies.isolating(pod, "egress"), tuple(denied)))
    return DnsCheck(tuple(misses), tuple(dns_pods), note)


def dns_blocked(basis: Basis, target: DnsTarget | None = None) -> tuple[list[Finding], list[str]]:
    """dns-blocked: the pods that cannot reach every DNS pod on each DNS port
    (:func:`dns_misses`), grouped by namespace, the policies that keep them from it and what
    blocks them.

    Args:
        basis: the policies, inventory and grid.
        target: where DNS is (default: kube-system/k8s-app=kube-dns on 53/UDP and 53/TCP).

    Returns:
        The findings, and the notes (the stand-in, when one was needed).
    """
    target = target or DnsTarget()
    check = dns_misses(basis.policies, basis.inventory, target)
    groups: dict[tuple[str, tuple[PolicyRef | ClusterPolicyRef, ...], str, str], list[str]] = {}
    names = listing([dns.key for dns in check.dns_pods])
    for miss in check.misses:
        why, fix = _why(miss, target, names), dns_fix(miss, target)
        groups.setdefault((miss.pod.namespace, miss.policies, why, fix), []).append(miss.pod.key)
    findings = []
    for (namespace, policies, why, fix), pods in groups.items():
        isolated = ", ".join(str(p) for p in policies if isinstance(p, PolicyRef))
        verb = "is" if len(pods) == 1 else "are"
        head = (
            f"{listing(pods)} {verb} isolated for egress by {isolated}, and"
            if isolated
            else f"{listing(pods)} cannot reach DNS:"
        )
        findings.append(
            Finding(
                CHECKS["dns-blocked"],
                namespace,
                f"{head} {why}: name lookups fail",
                fix,
                policies,
                pods=tuple(pods),
            )
        )
    return findings, [check.note] if check.note else []


def _why(miss: DnsMiss, target: DnsTarget, names: str) -> str:
    """What blocks the pod (its egress, the DNS pods' ingress), in words that hold for every
    pod of its group; a cluster-wide rule as explain words it."""
    parts = []
    dns = f"the DNS pods {target.describe()} ({names})"
    for rule, ports in miss.denials("egress").items():
        if rule is None:
            them = "it" if len(miss.isolating) == 1 else "them"
            parts.append(f"no egress rule of {them} admits {', '.join(ports)} to {dns}")
        else:
            parts.append(
                f"egress to {dns} on {', '.join(ports)} is denied by {rule.describe()}"
                + (" (no NetworkPolicy isolates them for egress)" if rule.tier == BASELINE else "")
            )
    for rule, ports in miss.denials("ingress").items():
        if rule is None:
            refs = dict.fromkeys(
                str(ref)
                for verdict in miss.verdicts
                if _denied(verdict, "ingress") and verdict.ingress is not None
                for ref in verdict.ingress.policy_refs
            )
            parts.append(
                f"{dns} are isolated for ingress by {', '.join(refs)}, and no ingress rule of "
                f"{'it' if len(refs) == 1 else 'them'} admits the connection on "
                f"{', '.join(ports)}"
            )
        else:
            parts.append(
                f"ingress at {dns} on {', '.join(ports)} is denied by {rule.describe()}"
                + (" (no NetworkPolicy isolates them for ingress)" if rule.tier == BASELINE else "")
            )
    return "; ".join(parts)


def _ahead(rule: TierRuleRef, what: str, target: DnsTarget) -> str:
    """How to admit ``what`` (``egress to the DNS pods on 53/UDP``) before ``rule`` decides:
    an Allow (Accept) rule ahead of it; at the DNS pods, leaving their namespace out of a
    Baseline-tier subject does too."""
    action = ACCEPT if rule.kind == CLUSTER_NETWORK_POLICY else ALLOW
    if rule.tier == ADMIN:
        where = "earlier in its rules, or in an Admin-tier policy of a lower priority number"
    elif rule.direction == "egress":
        where = (
            "earlier in its rules (podfence's ClusterBaseline writes one unless allowDns is false)"
        )
    else:
        where = (
            f"earlier in its rules, or leave namespace {target.namespace} out of its subject "
            "(podfence's ClusterBaseline leaves the system namespaces out unless "
            "excludeNamespaces says otherwise)"
        )
    return f"admit {what} ahead of {rule}: an {action} rule for it {where}"


def dns_fix(miss: DnsMiss, target: DnsTarget) -> str:
    """How to let the pod of ``miss`` (and those like it) reach DNS, in words: an egress rule
    to the DNS pods where its NetworkPolicies deny, an ingress rule at the DNS pods where
    theirs do, and an Allow (Accept) ahead of each cluster-wide rule that denies."""
    fixes = []
    for rule, ports in miss.denials("egress").items():
        if rule is not None:
            fixes.append(_ahead(rule, f"egress to the DNS pods on {', '.join(ports)}", target))
            continue
        labels = ", ".join(f"{k}: {v}" for k, v in target.labels)
        numbers = ", ".join(
            f"{{protocol: {proto}, port: {number}}}" for number, proto in target.ports
        )
        fixes.append(
            f"allow egress to DNS in a policy selecting them: to: [{{namespaceSelector: "
            f"{{matchLabels: {{{NAME_LABEL}: {target.namespace}}}}}, podSelector: {{matchLabels: "
            f"{{{labels}}}}}}}], ports: [{numbers}] (podfence's DefaultDeny with egress: true "
            "adds it as allow-dns-egress)"
        )
    for rule, ports in miss.denials("ingress").items():
        if rule is not None:
            fixes.append(_ahead(rule, f"them at the DNS pods on {', '.join(ports)}", target))
            continue
        fixes.append(
            f"admit them on {', '.join(ports)} in an ingress rule of a policy of namespace "
            f"{target.namespace} that selects the DNS pods"
        )
    return "; and ".join(fixes)
