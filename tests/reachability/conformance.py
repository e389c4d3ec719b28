"""The cluster of the network-policy-api conformance suite, and builders for cluster-wide policies.

Written before the upstream files were available, and checked against them since
(conformance/base/manifests.yaml, see fixtures/conformance/cluster.yaml): the four houses as
namespaces ``network-policy-conformance-<house>`` labelled ``conformance-house: <house>``, two
pods per house (a StatefulSet of 2: ``harry-potter-0`` and ``-1`` in gryffindor,
``draco-malfoy-*`` in slytherin, ``cedric-diggory-*`` in hufflepuff, ``luna-lovegood-*`` in
ravenclaw), every pod serving TCP 80 and 8080, UDP 53 and 5353, SCTP 9003 and 9005, with 80/TCP
named ``web`` and 53/UDP ``dns`` as upstream. podfence's own additions, for its own tables
(test_cluster_truth_tables.py): the names of the other ports, the ``app`` label on the pods,
the pod IPs, and the nodes of a kind cluster (a control plane and two workers). The upstream
tests themselves run on the upstream cluster (test_upstream_conformance.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reachability.engine import Engine
from reachability.helpers import cluster_policy, node
from reachability.helpers import namespace as k8s_namespace
from truth import Json, netpol

__all__ = [
    "ALL_PODS",
    "EXTERNAL",
    "EXTERNAL_V6",
    "HOUSES",
    "NODES",
    "PORTS",
    "G",
    "H",
    "R",
    "S",
    "all_namespaces",
    "anp",
    "banp",
    "cluster",
    "cnp",
    "deny_all",
    "named_port",
    "networks",
    "node_ips",
    "nodes",
    "ns",
    "pod_ip",
    "pods",
    "pods_of",
    "port_number",
    "port_range",
    "rule",
]


#: The houses, as (namespace, pod name prefix).
HOUSES: dict[str, str] = {
    "gryffindor": "harry-potter",
    "slytherin": "draco-malfoy",
    "hufflepuff": "cedric-diggory",
    "ravenclaw": "luna-lovegood",
}
G, S, H, R = (f"network-policy-conformance-{house}" for house in HOUSES)
_NUMBER = {G: 1, S: 2, H: 3, R: 4}

#: Every (port, protocol, name) each pod serves.
PORTS: tuple[tuple[int, str, str], ...] = (
    (80, "TCP", "web"),
    (8080, "TCP", "web-alt"),
    (53, "UDP", "dns"),
    (5353, "UDP", "mdns"),
    (9003, "SCTP", "sctp"),
    (9005, "SCTP", "sctp-alt"),
)

#: The kind cluster's nodes: name, labels, InternalIP.
NODES: tuple[tuple[str, dict[str, str], str], ...] = (
    (
        "kind-control-plane",
        {
            "node-role.kubernetes.io/control-plane": "",
            "kubernetes.io/hostname": "kind-control-plane",
        },
        "172.18.0.2",
    ),
    ("kind-worker", {"kubernetes.io/hostname": "kind-worker"}, "172.18.0.3"),
    ("kind-worker2", {"kubernetes.io/hostname": "kind-worker2"}, "172.18.0.4"),
)

#: An address outside the cluster (TEST-NET-1), and an IPv6 one.
EXTERNAL = "192.0.2.7"
EXTERNAL_V6 = "2001:db8::7"


def pods_of(namespace: str) -> list[str]:
    """The two pods of a house, as ``namespace/name``."""
    house = namespace.removeprefix("network-policy-conformance-")
    return [f"{namespace}/{HOUSES[house]}-{n}" for n in (0, 1)]


ALL_PODS: list[str] = [pod for namespace in (G, S, H, R) for pod in pods_of(namespace)]


def pod_ip(pod: str) -> str:
    """``10.244.<house>.1<replica>``: gryffindor is 1, ravenclaw 4 (harry-potter-0 10.244.1.10)."""
    namespace, name = pod.split("/")
    return f"10.244.{_NUMBER[namespace]}.1{name[-1]}"


def node_ips() -> list[str]:
    """The nodes' InternalIPs, control plane first."""
    return [address for _, _, address in NODES]


def _objects() -> list[Json]:
    out: list[Json] = []
    for house, prefix in HOUSES.items():
        namespace = f"network-policy-conformance-{house}"
        labels = {"conformance-house": house}
        out.append(k8s_namespace(namespace, **labels))
        for replica in (0, 1):
            name = f"{prefix}-{replica}"
            containers = [
                {
                    "name": f"{prefix}-client-{number}-{protocol.lower()}",
                    "image": "registry.k8s.io/e2e-test-images/agnhost:2.47",
                    "ports": [{"containerPort": number, "protocol": protocol, "name": port_name}],
                }
                for number, protocol, port_name in PORTS
            ]
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": name,
                        "namespace": namespace,
                        "labels": {**labels, "app": prefix},
                    },
                    "spec": {"containers": containers},
                    "status": {"podIP": pod_ip(f"{namespace}/{name}")},
                }
            )
    out.extend(node(name, labels, [address]) for name, labels, address in NODES)
    return out


def cluster(*policies: Json) -> Engine:
    """The engine over the conformance cluster, ``policies``, the nodes' addresses and the
    addresses outside the cluster (as sources and destinations of the matrix)."""
    return Engine([*_objects(), *policies], externals=[*node_ips(), EXTERNAL, EXTERNAL_V6])


# --- writing cluster-wide policies compactly --------------------------------------------------


def ns(namespace: str) -> Json:
    """A ``namespaces`` peer or subject: every pod of one namespace, selected by its name."""
    return {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def all_namespaces() -> Json:
    """A ``namespaces`` peer selecting every pod of every namespace."""
    return {"namespaces": {}}


def pods(namespace: str, app: str) -> Json:
    """A ``pods`` peer: pods ``app=<app>`` in one namespace."""
    return {
        "pods": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "podSelector": {"matchLabels": {"app": app}},
        }
    }


def nodes(selector: Json) -> Json:
    """A ``nodes`` peer."""
    return {"nodes": selector}


def networks(*cidrs: str) -> Json:
    """A ``networks`` peer."""
    return {"networks": list(cidrs)}


def port_number(protocol: str, number: int) -> Json:
    """A ``portNumber`` port."""
    return {"portNumber": {"protocol": protocol, "port": number}}


def port_range(protocol: str, start: int, end: int) -> Json:
    """A ``portRange`` port."""
    return {"portRange": {"protocol": protocol, "start": start, "end": end}}


def named_port(name: str) -> Json:
    """A ``namedPort`` port."""
    return {"namedPort": name}


def rule(
    name: str,
    action: str,
    direction: str,
    peers: Sequence[Json],
    ports: Sequence[Json] | None = None,
    port_field: str = "ports",
) -> Json:
    """One ingress (``from``) or egress (``to``) rule; ports None leaves ``ports`` out."""
    out: Json = {
        "name": name,
        "action": action,
        "from" if direction == "ingress" else "to": list(peers),
    }
    if ports is not None:
        out[port_field] = list(ports)
    return out


def _spec(subject: Json, ingress: Iterable[Json] | None, egress: Iterable[Json] | None) -> Json:
    spec: Json = {"subject": subject}
    if ingress is not None:
        spec["ingress"] = list(ingress)
    if egress is not None:
        spec["egress"] = list(egress)
    return spec


def anp(
    name: str,
    priority: int,
    subject: Json,
    ingress: Iterable[Json] | None = None,
    egress: Iterable[Json] | None = None,
) -> Json:
    """An AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)."""
    spec = {"priority": priority, **_spec(subject, ingress, egress)}
    return cluster_policy("AdminNetworkPolicy", name, spec)


def banp(
    subject: Json, ingress: Iterable[Json] | None = None, egress: Iterable[Json] | None = None
) -> Json:
    """The BaselineAdminNetworkPolicy ``default`` (policy.networking.k8s.io/v1alpha1)."""
    return cluster_policy("BaselineAdminNetworkPolicy", "default", _spec(subject, ingress, egress))


def cnp(
    name: str,
    tier: str,
    priority: int,
    subject: Json,
    ingress: Iterable[Json] | None = None,
    egress: Iterable[Json] | None = None,
) -> Json:
    """A ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)."""
    spec = {"tier": tier, "priority": priority, **_spec(subject, ingress, egress)}
    return cluster_policy("ClusterNetworkPolicy", name, spec)


def deny_all(namespace: str, *types: str) -> Json:
    """A NetworkPolicy isolating every pod of ``namespace`` for ``types``, admitting nothing."""
    return netpol("deny-all", namespace, types=types)
