"""An inventory derived from a firewall config: the pods and addresses that exercise every rule.

What it holds (deterministic, so matrix and check output is stable):
  * every namespace the firewall names, each with its ``kubernetes.io/metadata.name`` label;
  * one pod per tier, named after the tier, with the tier's labels and ports;
  * one pod ``client`` in a namespace each NamespaceAllow admits (built to satisfy the namespace
    selector), and when only some pods of it are admitted, a second pod ``other`` that is not;
  * the ingress controller's namespace with a pod ``controller``;
  * ``kube-system/kube-dns`` when egress is denied and DNS kept;
  * ``default/outsider``: a pod in a namespace nothing admits, to show what is denied;
  * sample addresses for every ipBlock: one inside it, one inside each exception, one outside.
Pod IPs come from a range that no ipBlock matches (outside its cidr or inside one of its
exceptions), so no pod matches an ipBlock by accident.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from podfence.config import FirewallConfig
from podfence.errors import ConfigError
from podfence.spec.ip_block import IpBlock
from podfence.spec.labels import NAMESPACE_NAME_LABEL, LabelSelector, Operator
from podfence.spec.ports import Port
from podfence.validation import Network

__all__ = ["DerivedInventory", "derive_inventory", "labels_matching", "sample_addresses"]

_POD_RANGES = ("10.244.0.0/16", "172.20.0.0/16", "100.64.0.0/16", "192.168.240.0/20")


@dataclass
class DerivedInventory:
    """Namespace and Pod objects plus external sample addresses, and what each stands for.

    Attributes:
        objects: the Namespace and Pod objects.
        externals: the sample addresses.
        nodes: endpoint (``ns/pod`` or address) -> what it stands for in a graph of the
            firewall: ``guestbook/ui`` for a tier, ``namespace monitoring``, ``ingress
            controller ingress-nginx``, ``DNS kube-system/k8s-app=kube-dns``, an ipBlock with
            its exceptions. Endpoints that stand for nothing of the firewall's (``outsider``,
            addresses in an exception or outside every block) are not in it.
        tiers: the nodes that are the firewall's own tiers.
    """

    objects: list[dict[str, Any]] = field(default_factory=list)
    externals: list[str] = field(default_factory=list)
    nodes: dict[str, str] = field(default_factory=dict)
    tiers: list[str] = field(default_factory=list)


def labels_matching(selector: LabelSelector) -> dict[str, str]:
    """Labels that ``selector`` selects: matchLabels, plus a value for each In and Exists.

    NotIn and DoesNotExist are satisfied by leaving the key out.
    """
    labels = dict(selector.match_labels)
    for requirement in selector.match_expressions:
        if requirement.operator is Operator.IN:
            labels.setdefault(requirement.key, requirement.values[0])
        elif requirement.operator is Operator.EXISTS:
            labels.setdefault(requirement.key, "present")
    return labels


def _namespace_name(labels: dict[str, str], fallback: str) -> str:
    if NAMESPACE_NAME_LABEL in labels:
        return labels[NAMESPACE_NAME_LABEL]
    joined = "-".join(v for _, v in sorted(labels.items()) if v).lower()
    name = re.sub(r"[^a-z0-9-]+", "-", joined).strip("-")[:63]
    return name or fallback


def _container_ports(ports: Sequence[Port], where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for port in ports:
        if isinstance(port.port, str):
            raise ConfigError(
                f"{where}: the named port {port.port!r} has no number to give a derived pod; "
                "pass --inventory with real pods"
            )
        numbers = [] if port.port is None else [port.port]
        if port.end_port is not None and port.end_port != port.port:
            numbers.append(port.end_port)
        out += [{"containerPort": n, "protocol": port.protocol.value} for n in numbers]
    return out


def sample_addresses(block: IpBlock) -> list[str]:
    """One address inside ``block`` (outside its exceptions), one in each exception, one outside.

    The one inside is the lowest address after the network address that no exception holds
    (the first after each exception it runs into), so a block whose low end is excepted, such
    as the public internet's 0.0.0.0/0 except 0.0.0.0/8, still has one.
    """
    network = ipaddress.ip_network(block.cidr)
    excepted = [ipaddress.ip_network(e) for e in block.except_]
    samples: list[str] = []
    candidate = int(network.network_address) + 1
    last = int(network.broadcast_address)
    holding = _holding(excepted, candidate)
    while holding is not None and candidate <= last:
        candidate = int(holding.broadcast_address) + 1
        holding = _holding(excepted, candidate)
    if candidate <= last:
        samples.append(str(network.network_address + (candidate - int(network.network_address))))
    samples += [str(e.network_address + (1 if e.num_addresses > 1 else 0)) for e in excepted]
    after = int(network.broadcast_address) + 2
    if after <= (1 << network.max_prefixlen) - 1:
        samples.append(
            str(
                ipaddress.ip_address(after)
                if network.version == 4
                else ipaddress.IPv6Address(after)
            )
        )
    return samples


def _holding(networks: Sequence[Network], value: int) -> Network | None:
    """The first of ``networks`` that holds the address ``value``, or None."""
    for network in networks:
        if int(network.network_address) <= value <= int(network.broadcast_address):
            return network
    return None


def _matches(pod_range: Network, block: IpBlock) -> bool:
    """Whether an address of ``pod_range`` may match ``block`` (it is not wholly outside the
    cidr or wholly inside one exception)."""
    network = ipaddress.ip_network(block.cidr)
    if network.version != pod_range.version or not pod_range.overlaps(network):
        return False
    return not any(
        pod_range.subnet_of(excepted)  # type: ignore[arg-type]
        for excepted in map(ipaddress.ip_network, block.except_)
        if excepted.version == pod_range.version
    )


class _Builder:
    def __init__(self, blocks: list[IpBlock]) -> None:
        self.namespaces: dict[str, dict[str, str]] = {}
        self.pods: list[dict[str, Any]] = []
        for candidate in _POD_RANGES:
            pod_range = ipaddress.ip_network(candidate)
            if not any(_matches(pod_range, block) for block in blocks):
                self._hosts = pod_range.hosts()
                break
        else:  # pragma: no cover - four disjoint ranges cannot all be covered by sane config
            raise ConfigError("every candidate pod range overlaps an ipBlock; pass --inventory")

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        merged = {**self.namespaces.get(name, {}), **(labels or {}), NAMESPACE_NAME_LABEL: name}
        self.namespaces[name] = merged

    def pod(
        self, namespace: str, name: str, labels: dict[str, str], ports: list[dict[str, Any]]
    ) -> str:
        """Add a pod (unless one with these labels and ports is there); return its name.

        Two entries that ask for the same pod (two namespace allows admitting one namespace)
        share it; a pod of that name with other labels makes ``<name>-2``, ``<name>-3``, ...
        """
        self.namespace(namespace)
        taken = {
            p["metadata"]["name"]: p for p in self.pods if p["metadata"]["namespace"] == namespace
        }
        base, number = name, 1
        while name in taken:
            same = taken[name]
            declared = same["spec"]["containers"][0].get("ports", [])
            if same["metadata"]["labels"] == labels and declared == ports:
                return name
            number += 1
            name = f"{base}-{number}"
        container: dict[str, Any] = {"name": "main", "image": "registry.invalid/podfence-sample"}
        if ports:
            container["ports"] = ports
        self.pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, "labels": labels},
                "spec": {"containers": [container]},
                "status": {"podIP": str(next(self._hosts))},
            }
        )
        return name

    def objects(self) -> list[dict[str, Any]]:
        namespaces = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": labels}}
            for n, labels in self.namespaces.items()
        ]
        return namespaces + self.pods


def derive_inventory(config: FirewallConfig) -> DerivedInventory:
    """The inventory described in the module docstring, for ``config``."""
    blocks = [b for allow in config.ip_block_allows for b in allow.ip_blocks]
    build = _Builder(blocks)
    nodes: dict[str, str] = {}
    build.namespace(config.namespace)
    for name, tier in config.tiers.items():
        namespace = config.tier_namespaces[name]
        build.pod(
            namespace, name, dict(tier.pod_labels), _container_ports(tier.ports, f"tier {name}")
        )
        nodes[f"{namespace}/{name}"] = f"{namespace}/{name}"
    tiers = list(nodes.values())
    controller = config.ingress_controller
    if controller is not None:
        labels = (
            labels_matching(controller.pod_selector)
            if controller.pod_selector is not None
            else {"app.kubernetes.io/name": "ingress-nginx"}
        )
        build.pod(controller.namespace, "controller", labels, [])
        nodes[f"{controller.namespace}/controller"] = f"ingress controller {controller.namespace}"
    for index, allow in enumerate(config.namespace_allows):
        if allow.from_namespace_names is not None:
            names = list(allow.from_namespace_names)
            ns_labels: dict[str, str] = {}
        else:
            ns_labels = labels_matching(allow.source_namespaces)
            names = [_namespace_name(ns_labels, f"admitted-{index}")]
        selector = allow.from_pod_selector
        admitted = (
            f"namespace {', '.join(names)}"
            if allow.from_namespace_names is not None
            else f"namespaces {_describe(allow.source_namespaces)}"
        )
        if selector is not None and not selector.is_empty:
            admitted += f", pods {_describe(selector)}"
        for namespace in names:
            build.namespace(namespace, ns_labels)
            client = build.pod(
                namespace,
                "client",
                labels_matching(selector) if selector else {"app": "client"},
                [],
            )
            nodes.setdefault(f"{namespace}/{client}", admitted)
            if selector is not None and not selector.is_empty:
                build.pod(namespace, "other", {"app": "other"}, [])
    deny = config.default_deny
    if deny.egress and deny.allow_dns:
        build.pod(
            deny.dns.namespace,
            "kube-dns",
            dict(deny.dns.pod_labels),
            _container_ports(deny.dns.ports, "defaultDeny.dns"),
        )
        dns_labels = ",".join(f"{k}={v}" for k, v in sorted(deny.dns.pod_labels.items()))
        nodes[f"{deny.dns.namespace}/kube-dns"] = f"DNS {deny.dns.namespace}/{dns_labels}"
    if "default" not in build.namespaces:
        build.pod("default", "outsider", {"app": "outsider"}, [])
    externals: list[str] = []
    for block in blocks:
        samples = sample_addresses(block)
        externals += [address for address in samples if address not in externals]
        if samples and _inside(samples[0], block):
            nodes.setdefault(samples[0], block.describe())
    return DerivedInventory(build.objects(), externals, nodes, tiers)


def _inside(address: str, block: IpBlock) -> bool:
    ip = ipaddress.ip_address(address)
    if ip not in ipaddress.ip_network(block.cidr):
        return False
    return not any(ip in ipaddress.ip_network(e) for e in block.except_)


def _describe(selector: LabelSelector) -> str:
    """``team=monitoring``, ``env in (a,b)``: the selector in kubectl's notation; ``(all)``
    when it selects everything."""
    return "(all)" if selector.is_empty else selector.describe()
