"""ClusterBaselineSpec -> the BaselineAdminNetworkPolicy (or Baseline-tier ClusterNetworkPolicy)."""

from __future__ import annotations

from typing import Any

from podfence.manifests.wire import MANAGED_BY_LABELS, Manifest, namespace_name_selector, selector
from podfence.spec.cluster_baseline import ClusterBaselineSpec
from podfence.spec.labels import NAMESPACE_NAME_LABEL, LabelSelector
from podfence.spec.ports import Port

__all__ = [
    "DENY_EGRESS_RULE",
    "DENY_INGRESS_RULE",
    "EVERYWHERE",
    "GROUP",
    "cluster_baseline_policy",
]

#: The API group of the cluster-wide policies.
GROUP = "policy.networking.k8s.io"
#: The name of the baseline's ingress rule.
DENY_INGRESS_RULE = "deny-ingress-from-pods"
#: The name of the baseline's egress deny.
DENY_EGRESS_RULE = "deny-egress"
#: Every IPv4 and every IPv6 address: pods, nodes and the outside alike.
EVERYWHERE = ("0.0.0.0/0", "::/0")


def _subject(spec: ClusterBaselineSpec) -> dict[str, Any]:
    """The namespaces selected, less the excluded ones (a NotIn on their name label)."""
    namespaces = selector(spec.namespace_selector)
    if spec.exclude_namespaces:
        namespaces.setdefault("matchExpressions", []).append(
            {
                "key": NAMESPACE_NAME_LABEL,
                "operator": "NotIn",
                "values": sorted(spec.exclude_namespaces),
            }
        )
    return {"namespaces": namespaces}


def _v1alpha1_port(port: Port) -> dict[str, Any]:
    """A v1alpha1 port: portNumber, portRange, or namedPort (which takes the pod's protocol);
    a range of one port (endPort equal to port) is its portNumber: the API requires start < end."""
    protocol = port.protocol.value
    if isinstance(port.port, str):
        return {"namedPort": port.port}
    if port.port is None:
        return {"portRange": {"protocol": protocol, "start": 1, "end": 65535}}
    if port.end_port is not None and port.end_port > port.port:
        return {"portRange": {"protocol": protocol, "start": port.port, "end": port.end_port}}
    return {"portNumber": {"protocol": protocol, "port": port.port}}


def _cluster_protocol(port: Port) -> dict[str, Any]:
    """A ClusterNetworkPolicy (v1alpha2, v1beta1) ``protocols`` entry: ``destinationNamedPort``, or the protocol with its
    ``destinationPort`` (every port: the range 1-65535; the API requires a port)."""
    if isinstance(port.port, str):
        return {"destinationNamedPort": port.port}
    destination: dict[str, Any]
    if port.port is None:
        destination = {"range": {"start": 1, "end": 65535}}
    elif port.end_port is not None and port.end_port > port.port:
        destination = {"range": {"start": port.port, "end": port.end_port}}
    else:
        destination = {"number": port.port}
    return {port.protocol.value.lower(): {"destinationPort": destination}}


def _dns_rule(spec: ClusterBaselineSpec, allow: str) -> dict[str, Any]:
    dns = spec.dns
    peer = {
        "pods": {
            "namespaceSelector": namespace_name_selector(dns.namespace),
            "podSelector": selector(LabelSelector.of(dns.pod_labels)),
        }
    }
    rule: dict[str, Any] = {"name": dns.policy_name, "action": allow, "to": [peer]}
    if spec.api == "v1alpha1":
        rule["ports"] = [_v1alpha1_port(port) for port in dns.ports]
    else:
        rule["protocols"] = [_cluster_protocol(port) for port in dns.ports]
    return rule


def cluster_baseline_policy(spec: ClusterBaselineSpec) -> Manifest:
    """The baseline as one object in wire form.

    ``spec.subject`` selects the namespaces (``namespaces``: the spec's selector and a NotIn on
    the excluded names). With ingress, one rule denies ingress from every pod (``namespaces:
    {}``). With egress, an Allow (Accept in a ClusterNetworkPolicy) to the DNS pods on the DNS ports comes
    first when DNS is kept, then a Deny to every pod (``namespaces: {}``) and every address
    (``networks`` 0.0.0.0/0 and ::/0, which match nodes and the outside).
    """
    v1alpha1 = spec.api == "v1alpha1"
    allow = "Allow" if v1alpha1 else "Accept"
    body: dict[str, Any] = {}
    if not v1alpha1:
        body = {"tier": "Baseline", "priority": spec.policy_priority}
    body["subject"] = _subject(spec)
    if spec.ingress:
        body["ingress"] = [
            {"name": DENY_INGRESS_RULE, "action": "Deny", "from": [{"namespaces": {}}]}
        ]
    if spec.egress:
        egress = [_dns_rule(spec, allow)] if spec.allow_dns else []
        egress.append(
            {
                "name": DENY_EGRESS_RULE,
                "action": "Deny",
                "to": [{"namespaces": {}}, {"networks": list(EVERYWHERE)}],
            }
        )
        body["egress"] = egress
    return {
        "apiVersion": f"{GROUP}/{spec.api}",
        "kind": "BaselineAdminNetworkPolicy" if v1alpha1 else "ClusterNetworkPolicy",
        "metadata": {"name": spec.policy_name, "labels": dict(MANAGED_BY_LABELS)},
        "spec": body,
    }
