"""What a firewall config declares, evaluated on an inventory, without podfence's builders.

The reference reads the config as the stack file spells it (a plain dict, camelCase keys, port
shorthands, omitted keys) and settles every default itself, as the README and the spec
docstrings state them; it never calls ``FirewallConfig``, the manifest builders or the engine.
It then decides each flow by the NetworkPolicy v1 rules, applied to the firewall's own
declarations instead of to manifests:

* ``defaultDeny`` isolates every pod of its namespaces (default: the firewall's namespace and
  every tier's) for ingress (default on) and egress (default off); with egress denied and DNS
  kept (default), every pod of those namespaces may reach the DNS pods (default
  ``kube-system`` / ``k8s-app=kube-dns`` on 53/UDP and 53/TCP);
* each flow A -> B admits A's pods into B's pods on the flow's ports (default: B's ports; none:
  every port); when A is egress-isolated (its ``egressIsolated``, default: egress denied in its
  namespace) it also lets A's pods reach B's pods on those ports, and makes A egress-isolated;
* the ingress controller admits the pods of its namespace (default ``ingress-nginx``; default
  every pod of it, else its podSelector) into its tier on its ports (default: the tier's);
* each namespace allow admits, into the pods it selects in each of its namespaces (default:
  the firewall's), the pods of the namespaces it names or selects (AND its fromPodSelector);
* each ip-block allow admits from (Ingress, the default) or to (Egress) the addresses in its
  blocks, minus the excepts;
* nothing else: a pod no declaration selects for a direction is not isolated for it.

Each declaration is kept as an :class:`Isolation` with the namespace and name of the policy that
stands for it (the names the README documents), so the engine's "why" can be compared too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Endpoint", "Reference", "Side"]

NAME_LABEL = "kubernetes.io/metadata.name"
_DNS_PORTS = [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]


# -- ports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortSpec:
    """One port entry: ``port`` None is every port of ``protocol``; a str is a containerPort name."""

    protocol: str
    port: int | str | None
    end_port: int | None = None


def port_spec(raw: Any) -> PortSpec:
    """A port entry as the stack file may write it: 80, "http", "53/UDP", "8000-8100/TCP",
    "all/UDP", or a map with port, endPort, protocol."""
    if isinstance(raw, int):
        return PortSpec("TCP", raw)
    if isinstance(raw, str):
        spec, _, protocol = raw.partition("/")
        protocol = protocol or "TCP"
        start, dash, end = spec.partition("-")
        if dash and start.isdigit() and end.isdigit():
            return PortSpec(protocol, int(start), int(end))
        if spec.isdigit():
            return PortSpec(protocol, int(spec))
        if spec in ("", "all", "*"):
            return PortSpec(protocol, None)
        return PortSpec(protocol, spec)
    return PortSpec(raw.get("protocol", "TCP"), raw.get("port"), raw.get("endPort"))


def ports_admit(
    specs: list[PortSpec], port: int, protocol: str, declared: list[tuple[int, str, str | None]]
) -> bool:
    """Whether ``specs`` cover ``port``/``protocol`` at a destination declaring ``declared``
    (number, protocol, name); no specs: every port."""
    if not specs:
        return True
    for spec in specs:
        if spec.protocol != protocol:
            continue
        if spec.port is None:
            return True
        if isinstance(spec.port, str):
            if any(n == port and p == protocol and name == spec.port for n, p, name in declared):
                return True
            continue
        high = spec.end_port if spec.end_port is not None else spec.port
        if spec.port <= port <= high:
            return True
    return False


# -- selectors and endpoints ----------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A label selector (matchLabels AND matchExpressions); None or {} selects everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or ():
        key, operator = expression["key"], expression["operator"]
        values = set(expression.get("values") or ())
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _in_namespace(*names: str) -> Callable[[Endpoint], bool]:
    return lambda endpoint: endpoint.namespace in names


def _namespace_labelled(selector: Mapping[str, Any]) -> Callable[[Endpoint], bool]:
    return lambda endpoint: selector_matches(selector, endpoint.namespace_labels)


def labels_selector(labels: Mapping[str, str]) -> dict[str, Any]:
    return {"matchLabels": dict(labels)}


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace set) or an address outside the cluster (namespace None)."""

    key: str
    namespace: str | None
    labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    namespace_labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    ips: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...] = ()
    ports: tuple[tuple[int, str, str | None], ...] = ()


Peer = Callable[[Endpoint], bool]


def pods_in(namespace_test: Callable[[Endpoint], bool], selector: Any) -> Peer:
    """Pods whose namespace passes ``namespace_test`` and whose labels ``selector`` selects."""
    return lambda e: (
        e.namespace is not None and namespace_test(e) and selector_matches(selector, e.labels)
    )


def in_blocks(blocks: list[dict[str, Any]]) -> Peer:
    """Endpoints with an address in one of ``blocks`` (cidr minus except)."""
    networks = [
        (
            ipaddress.ip_network(b["cidr"]),
            [ipaddress.ip_network(x) for x in b.get("except", ())],
        )
        for b in blocks
    ]

    def match(endpoint: Endpoint) -> bool:
        return any(
            ip.version == cidr.version and ip in cidr and not any(ip in x for x in excepts)
            for ip in endpoint.ips
            for cidr, excepts in networks
        )

    return match


# -- declarations --------------------------------------------------------------------------


@dataclass
class Isolation:
    """A declaration that isolates pods for one direction, and what it then admits.

    Attributes:
        policy: (namespace, name) of the policy that stands for it.
        namespace: where its pods are.
        selector: which of them (a label selector; {} all).
        direction: "ingress" or "egress".
        peer: the other end it admits (None: it admits nothing).
        ports: the ports it admits the peer on (empty: every port).
    """

    policy: tuple[str, str]
    namespace: str
    selector: Mapping[str, Any]
    direction: str
    peer: Peer | None = None
    ports: list[PortSpec] = field(default_factory=list)

    def selects(self, pod: Endpoint) -> bool:
        return pod.namespace == self.namespace and selector_matches(self.selector, pod.labels)

    def admits(self, other: Endpoint, port: int, protocol: str, destination: Endpoint) -> bool:
        return (
            self.peer is not None
            and self.peer(other)
            and ports_admit(self.ports, port, protocol, list(destination.ports))
        )


@dataclass(frozen=True)
class Side:
    """One direction's outcome: isolated, by which policies, admitted by which."""

    isolated: bool
    isolating: frozenset[tuple[str, str]] = frozenset()
    admitted_by: frozenset[tuple[str, str]] = frozenset()

    @property
    def allowed(self) -> bool:
        return not self.isolated or bool(self.admitted_by)


class Reference:
    """The declarations of ``config`` (a stack-file dict), ready to decide flows."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.namespace: str = config["namespace"]
        self.tiers: Mapping[str, Any] = config["tiers"]
        self.tier_ns = {
            name: tier.get("namespace") or self.namespace for name, tier in self.tiers.items()
        }
        deny = config.get("defaultDeny") or {}
        self.deny_ns: list[str] = deny.get("namespaces") or list(
            dict.fromkeys([self.namespace, *self.tier_ns.values()])
        )
        self.egress_denied: bool = deny.get("egress", False)
        self.isolations: list[Isolation] = [
            *self._default_deny(deny),
            *(i for flow in config.get("flows", ()) for i in self._flow(flow)),
            *self._controller(config.get("ingressController")),
            *(i for a in config.get("namespaceAllows", ()) for i in self._namespace_allow(a)),
            *(i for a in config.get("ipBlockAllows", ()) for i in self._ip_block_allow(a)),
        ]

    def _default_deny(self, deny: Mapping[str, Any]) -> list[Isolation]:
        out = []
        for ns in self.deny_ns:
            if deny.get("ingress", True):
                out.append(Isolation((ns, "deny-all"), ns, {}, "ingress"))
            if self.egress_denied:
                out.append(Isolation((ns, "deny-all"), ns, {}, "egress"))
        if self.egress_denied and deny.get("allowDns", True):
            dns = deny.get("dns") or {}
            dns_ns = dns.get("namespace", "kube-system")
            dns_pods = pods_in(
                _in_namespace(dns_ns),
                labels_selector(dns.get("podLabels", {"k8s-app": "kube-dns"})),
            )
            ports = [port_spec(p) for p in dns.get("ports", _DNS_PORTS)]
            name = dns.get("policyName", "allow-dns-egress")
            out += [Isolation((ns, name), ns, {}, "egress", dns_pods, ports) for ns in self.deny_ns]
        return out

    def _tier_pods(self, name: str) -> Peer:
        return pods_in(
            _in_namespace(self.tier_ns[name]), labels_selector(self.tiers[name]["podLabels"])
        )

    def _tier_ports(self, name: str) -> list[PortSpec]:
        return [port_spec(p) for p in self.tiers[name].get("ports", ())]

    def _flow(self, flow: Mapping[str, Any]) -> list[Isolation]:
        source, destination = flow["from"], flow["to"]
        name = flow.get("name") or f"allow-{source}-to-{destination}"
        if "ports" in flow:
            ports = [port_spec(p) for p in flow["ports"]]
        else:
            ports = self._tier_ports(destination)
        out = [
            Isolation(
                (self.tier_ns[destination], name),
                self.tier_ns[destination],
                labels_selector(self.tiers[destination]["podLabels"]),
                "ingress",
                self._tier_pods(source),
                ports,
            )
        ]
        isolated = self.tiers[source].get("egressIsolated")
        if isolated is None:
            isolated = self.egress_denied and self.tier_ns[source] in self.deny_ns
        if isolated:
            out.append(
                Isolation(
                    (self.tier_ns[source], f"{name}-egress"),
                    self.tier_ns[source],
                    labels_selector(self.tiers[source]["podLabels"]),
                    "egress",
                    self._tier_pods(destination),
                    ports,
                )
            )
        return out

    def _controller(self, controller: Mapping[str, Any] | None) -> list[Isolation]:
        if controller is None:
            return []
        tier = controller["tier"]
        if controller.get("ports") is not None:
            ports = [port_spec(p) for p in controller["ports"]]
        else:
            ports = self._tier_ports(tier)
        from_ns = controller.get("namespace", "ingress-nginx")
        return [
            Isolation(
                (self.tier_ns[tier], controller.get("policyName", "allow-ingress-controller")),
                self.tier_ns[tier],
                labels_selector(self.tiers[tier]["podLabels"]),
                "ingress",
                pods_in(_in_namespace(from_ns), controller.get("podSelector")),
                ports,
            )
        ]

    def _namespace_allow(self, allow: Mapping[str, Any]) -> list[Isolation]:
        if "fromNamespaceNames" in allow:
            namespace_test = _in_namespace(*allow["fromNamespaceNames"])
        else:
            namespace_test = _namespace_labelled(allow["fromNamespaceSelector"])
        peer = pods_in(namespace_test, allow.get("fromPodSelector"))
        ports = [port_spec(p) for p in allow.get("ports", ())]
        selector = allow.get("podSelector") or {}
        return [
            Isolation((ns, allow["name"]), ns, selector, "ingress", peer, ports)
            for ns in allow.get("namespaces", [self.namespace])
        ]

    def _ip_block_allow(self, allow: Mapping[str, Any]) -> list[Isolation]:
        direction = allow.get("direction", "Ingress").lower()
        peer = in_blocks(allow["ipBlocks"])
        ports = [port_spec(p) for p in allow.get("ports", ())]
        selector = allow.get("podSelector") or {}
        return [
            Isolation((ns, allow["name"]), ns, selector, direction, peer, ports)
            for ns in allow.get("namespaces", [self.namespace])
        ]

    def side(
        self,
        direction: str,
        subject: Endpoint,
        other: Endpoint,
        port: int,
        protocol: str,
        to: Endpoint,
    ) -> Side | None:
        """Ingress at the destination or egress at the source; None for an address."""
        if subject.namespace is None:
            return None
        isolating = [i for i in self.isolations if i.direction == direction and i.selects(subject)]
        if not isolating:
            return Side(False)
        return Side(
            True,
            frozenset(i.policy for i in isolating),
            frozenset(i.policy for i in isolating if i.admits(other, port, protocol, to)),
        )

    def decide(
        self, source: Endpoint, destination: Endpoint, port: int, protocol: str
    ) -> tuple[bool, Side | None, Side | None]:
        """(allowed, ingress side, egress side) of one flow."""
        ingress = self.side("ingress", destination, source, port, protocol, destination)
        egress = self.side("egress", source, destination, port, protocol, destination)
        allowed = (ingress is None or ingress.allowed) and (egress is None or egress.allowed)
        return allowed, ingress, egress


def endpoints(objects: list[Mapping[str, Any]], externals: list[str]) -> dict[str, Endpoint]:
    """The derived inventory's pods and addresses, by the keys the matrix uses."""
    namespace_labels: dict[str, dict[str, str]] = {}
    for obj in objects:
        if obj["kind"] == "Namespace":
            name = obj["metadata"]["name"]
            namespace_labels[name] = {**obj["metadata"].get("labels", {}), NAME_LABEL: name}
    out: dict[str, Endpoint] = {}
    for obj in objects:
        if obj["kind"] != "Pod":
            continue
        metadata = obj["metadata"]
        ns = metadata.get("namespace") or "default"
        declared = tuple(
            (p["containerPort"], p.get("protocol", "TCP"), p.get("name"))
            for container in obj["spec"]["containers"]
            for p in container.get("ports", ())
        )
        key = f"{ns}/{metadata['name']}"
        out[key] = Endpoint(
            key,
            ns,
            dict(metadata.get("labels") or {}),
            namespace_labels.get(ns, {NAME_LABEL: ns}),
            (ipaddress.ip_address(obj["status"]["podIP"]),),
            declared,
        )
    by_ip = {ip: e for e in out.values() for ip in e.ips}
    for text in externals:
        address = ipaddress.ip_address(text)
        if address not in by_ip:
            out[str(address)] = Endpoint(str(address), None, ips=(address,))
    return out
