"""Small builders of Kubernetes objects for the reachability unit tests, and random clusters."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from podfence.reachability.context import ObjectContext

__all__ = ["CONTEXT", "FIXTURES", "namespace", "pod", "policy", "random_cluster"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"

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
