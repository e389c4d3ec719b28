"""Small builders of Kubernetes objects for the reachability unit tests, and random clusters."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from podfence.reachability.context import ObjectContext

__all__ = [
    "ADMIN_TIER",
    "CONTEXT",
    "FIXTURES",
    "cluster_policy",
    "namespace",
    "node",
    "pod",
    "policy",
    "random_cluster",
    "random_tiered_cluster",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The cookbook's cluster-wide recipe: AdminNetworkPolicies (Deny, Pass, Deny), a
#: BaselineAdminNetworkPolicy and the guestbook's NetworkPolicies, with its inventory.
ADMIN_TIER = Path(__file__).resolve().parents[2] / "examples" / "cookbook" / "admin-tier"

#: A context for parsing pieces of a policy on their own.
CONTEXT = ObjectContext("NetworkPolicy", "shop/test", "policies.yaml")


def namespace(name: str, **labels: str) -> dict[str, Any]:
    """A Namespace object."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(
    key: str,
    ip: str | None = None,
    ports: list[dict[str, Any]] | None = None,
    **labels: str,
) -> dict[str, Any]:
    """A Pod object named ``namespace/name`` with one container declaring ``ports``."""
    ns, name = key.split("/")
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": "main", "ports": ports or []}]},
    }
    if ip is not None:
        obj["status"] = {"podIP": ip}
    return obj


def policy(key: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A NetworkPolicy object named ``namespace/name``."""
    ns, name = key.split("/")
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


# -- random clusters, for the tests that hold the matrix to evaluate() ----------------------

LABELS = {"app": ["a", "b", "c"], "tier": ["x", "y"], "env": ["p", "q"]}


def _labels(rnd: random.Random) -> dict[str, str]:
    return {k: rnd.choice(v) for k, v in LABELS.items() if rnd.random() < 0.7}


def _selector(rnd: random.Random) -> dict[str, Any]:
    choice = rnd.random()
    if choice < 0.3:
        return {}
    key = rnd.choice(list(LABELS))
    if choice < 0.6:
        return {"matchLabels": {key: rnd.choice(LABELS[key])}}
    operator = rnd.choice(["In", "NotIn", "Exists", "DoesNotExist"])
    expression: dict[str, Any] = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        expression["values"] = rnd.sample(LABELS[key], rnd.randint(1, len(LABELS[key])))
    return {"matchExpressions": [expression]}


def _peer(rnd: random.Random) -> dict[str, Any]:
    kind = rnd.randrange(4)
    if kind == 0:
        return {"podSelector": _selector(rnd)}
    if kind == 1:
        return {"namespaceSelector": _selector(rnd)}
    if kind == 2:
        return {"namespaceSelector": _selector(rnd), "podSelector": _selector(rnd)}
    cidr = rnd.choice(["10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "192.168.0.0/16", "fd00::/112"])
    block: dict[str, Any] = {"cidr": cidr}
    if cidr == "10.0.0.0/16" and rnd.random() < 0.5:
        block["except"] = ["10.0.1.0/25"]
    if cidr == "fd00::/112" and rnd.random() < 0.5:
        block["except"] = ["fd00::/124"]
    return {"ipBlock": block}


def _port(rnd: random.Random) -> dict[str, Any]:
    kind = rnd.randrange(5)
    protocol = rnd.choice(["TCP", "TCP", "UDP"])
    if kind == 0:
        return {"port": rnd.choice([80, 81, 53]), "protocol": protocol}
    if kind == 1:
        return {"port": 80, "endPort": rnd.choice([80, 81, 100]), "protocol": protocol}
    if kind == 2:
        return {"port": rnd.choice(["web", "dns", "alt"]), "protocol": protocol}
    if kind == 3:
        return {"protocol": protocol}
    return {"port": rnd.choice(["web", "dns"])}


def _rules(rnd: random.Random, peer_key: str) -> list[dict[str, Any]]:
    rules = []
    for _ in range(rnd.randrange(3)):
        rule: dict[str, Any] = {}
        if rnd.random() < 0.8:
            rule[peer_key] = [_peer(rnd) for _ in range(rnd.randint(0, 2))]
        if rnd.random() < 0.7:
            rule["ports"] = [_port(rnd) for _ in range(rnd.randint(0, 2))]
        rules.append(rule)
    return rules


def random_cluster(seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    rnd = random.Random(seed)
    objects: list[dict[str, Any]] = [namespace(ns, **_labels(rnd)) for ns in ("n1", "n2")]
    port_choices = [
        {"containerPort": 80, "name": "web"},
        {"containerPort": 81, "name": "web"},
        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
        {"containerPort": 53, "name": "dns"},
        {"containerPort": 100, "name": "alt"},
    ]
    for index in range(rnd.randint(3, 9)):
        ns = rnd.choice(["n1", "n2", "n3"])  # n3 has no Namespace object
        ip = rnd.choice(
            [
                f"10.0.0.{index + 1}",
                f"10.0.1.{index + 1}",
                f"10.0.1.{index + 200}",
                f"fd00::{index + 1:x}0",
                None,
            ]
        )
        ports = rnd.sample(port_choices, rnd.randint(0, 2))
        if len(ports) == 2 and ports[0]["name"] == ports[1]["name"]:
            ports.pop()  # a port name is unique within a container
        objects.append(pod(f"{ns}/p{index}", ip, ports, **_labels(rnd)))
    for index in range(rnd.randint(0, 5)):
        spec: dict[str, Any] = {"podSelector": _selector(rnd)}
        types = rnd.choice([None, ["Ingress"], ["Egress"], ["Egress", "Ingress"]])
        if types is not None:
            spec["policyTypes"] = types
        if rnd.random() < 0.8:
            spec["ingress"] = _rules(rnd, "from")
        if rnd.random() < 0.6:
            spec["egress"] = _rules(rnd, "to")
        objects.append(policy(f"{rnd.choice(['n1', 'n2', 'n3'])}/pol{index}", spec))
    externals = rnd.sample(
        ["10.0.1.5", "10.0.1.200", "192.168.3.4", "8.8.8.8", "fd00::3", "fd00::1:0"], 3
    )
    return objects, externals


# -- cluster-wide policies and nodes, for the same tests with the tiers around NetworkPolicies --

NODES = (
    ("node-a", {"role": "a"}, ["192.168.3.4"]),
    ("node-b", {"role": "b"}, ["8.8.8.8", "fd00::3"]),
)


def node(name: str, labels: dict[str, str], addresses: list[str]) -> dict[str, Any]:
    """A Node object with InternalIP addresses (and a Hostname, which is not one)."""
    listed = [{"type": "InternalIP", "address": address} for address in addresses]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"addresses": [*listed, {"type": "Hostname", "address": name}]},
    }


def cluster_policy(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """An AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) or ClusterNetworkPolicy
    (v1alpha2) object."""
    version = "v1alpha2" if kind == "ClusterNetworkPolicy" else "v1alpha1"
    return {
        "apiVersion": f"policy.networking.k8s.io/{version}",
        "kind": kind,
        "metadata": {"name": name},
        "spec": spec,
    }


def _pods_selector(rnd: random.Random) -> dict[str, Any]:
    return {"namespaceSelector": _selector(rnd), "podSelector": _selector(rnd)}


def _admin_peer(rnd: random.Random, direction: str) -> dict[str, Any]:
    kinds = ["namespaces", "pods"] + (
        ["nodes", "networks", "domainNames"] if direction == "egress" else []
    )
    kind = rnd.choice(kinds)
    if kind == "namespaces":
        return {"namespaces": _selector(rnd)}
    if kind == "pods":
        return {"pods": _pods_selector(rnd)}
    if kind == "nodes":
        return {
            "nodes": rnd.choice(
                [{}, {"matchLabels": {"role": "a"}}, {"matchLabels": {"role": "b"}}]
            )
        }
    if kind == "networks":
        cidrs = [
            "10.0.0.0/16",
            "10.0.1.0/24",
            "0.0.0.0/0",
            "192.168.0.0/16",
            "fd00::/112",
            "8.8.8.8/32",
        ]
        return {"networks": rnd.sample(cidrs, rnd.randint(1, 2))}
    return {"domainNames": ["example.com"]}


def _admin_port(rnd: random.Random) -> dict[str, Any]:
    """A v1alpha1 port: portNumber, portRange or namedPort."""
    protocol = rnd.choice(["TCP", "TCP", "UDP"])
    kind = rnd.randrange(3)
    if kind == 0:
        return {"portNumber": {"protocol": protocol, "port": rnd.choice([80, 81, 53])}}
    if kind == 1:
        return {"portRange": {"protocol": protocol, "start": 80, "end": rnd.choice([81, 100])}}
    return {"namedPort": rnd.choice(["web", "dns", "alt"])}


def _protocol(rnd: random.Random) -> dict[str, Any]:
    """A v1alpha2 ``protocols`` entry."""
    protocol = rnd.choice(["tcp", "tcp", "udp"])
    kind = rnd.randrange(4)
    if kind == 0:
        return {protocol: {"destinationPort": {"number": rnd.choice([80, 81, 53])}}}
    if kind == 1:
        return {protocol: {"destinationPort": {"range": {"start": 80, "end": 100}}}}
    if kind == 2:
        return {protocol: {"destinationPort": {"range": {"start": 1, "end": 65535}}}}
    return {"destinationNamedPort": rnd.choice(["web", "dns"])}


def _admin_rules(
    rnd: random.Random, direction: str, actions: list[str], v1alpha2: bool
) -> list[dict[str, Any]]:
    rules = []
    for index in range(rnd.randrange(4)):
        rule: dict[str, Any] = {
            "name": f"r{index}",
            "action": rnd.choice(actions),
            "from" if direction == "ingress" else "to": [
                _admin_peer(rnd, direction) for _ in range(rnd.randint(1, 2))
            ],
        }
        if rnd.random() < 0.6:
            if v1alpha2:
                rule["protocols"] = [_protocol(rnd) for _ in range(rnd.randint(1, 2))]
            else:
                rule["ports"] = [_admin_port(rnd) for _ in range(rnd.randint(1, 2))]
        peers = rule["from" if direction == "ingress" else "to"]
        if any(key in peer for peer in peers for key in ("networks", "nodes", "domainNames")):
            # the API refuses a named port in a rule with those peers (they have none)
            for key in ("ports", "protocols"):
                kept = [p for p in rule.get(key, ()) if "namedPort" not in p and "destinationNamedPort" not in p]  # fmt: skip
                if key in rule and kept:
                    rule[key] = kept
                elif key in rule:
                    del rule[key]
        rules.append(rule)
    return rules


def _tiered_spec(rnd: random.Random, actions: list[str], v1alpha2: bool) -> dict[str, Any]:
    subject = (
        {"namespaces": _selector(rnd)} if rnd.random() < 0.5 else {"pods": _pods_selector(rnd)}
    )
    spec: dict[str, Any] = {"subject": subject}
    for direction in ("ingress", "egress"):
        if rnd.random() < 0.8:
            spec[direction] = _admin_rules(rnd, direction, actions, v1alpha2)
    return spec


def random_tiered_cluster(seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """A :func:`random_cluster` with nodes and random AdminNetworkPolicies, a
    BaselineAdminNetworkPolicy and ClusterNetworkPolicies of both tiers around its
    NetworkPolicies (priorities drawn from few values, so that ties happen too)."""
    objects, externals = random_cluster(seed)
    rnd = random.Random(f"tiered-{seed}")
    objects += [node(*entry) for entry in NODES]
    for index in range(rnd.randint(0, 3)):
        spec = {
            "priority": rnd.choice([1, 5, 9]),
            **_tiered_spec(rnd, ["Allow", "Deny", "Pass"], False),
        }
        objects.append(cluster_policy("AdminNetworkPolicy", f"anp{index}", spec))
    if rnd.random() < 0.6:
        objects.append(
            cluster_policy(
                "BaselineAdminNetworkPolicy", "default", _tiered_spec(rnd, ["Allow", "Deny"], False)
            )
        )
    for index in range(rnd.randint(0, 2)):
        spec = {
            "tier": rnd.choice(["Admin", "Baseline"]),
            "priority": rnd.choice([1, 5, 9]),
            **_tiered_spec(rnd, ["Accept", "Deny", "Pass"], True),
        }
        objects.append(cluster_policy("ClusterNetworkPolicy", f"cnp{index}", spec))
    return objects, externals
