"""cluster_baseline_policy: the BaselineAdminNetworkPolicy or Baseline-tier ClusterNetworkPolicy
a ClusterBaselineSpec makes, in the form the engine reads back."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.manifests import cluster_baseline_policy
from podfence.reachability.admin_loader import parse_cluster_policy
from podfence.spec import ClusterBaselineSpec

MANAGED = {"app.kubernetes.io/managed-by": "podfence"}
NOT_SYSTEM = {
    "matchExpressions": [
        {
            "key": "kubernetes.io/metadata.name",
            "operator": "NotIn",
            "values": ["kube-node-lease", "kube-public", "kube-system"],
        }
    ]
}
DENY_INGRESS = {"name": "deny-ingress-from-pods", "action": "Deny", "from": [{"namespaces": {}}]}
DENY_EGRESS = {
    "name": "deny-egress",
    "action": "Deny",
    "to": [{"namespaces": {}}, {"networks": ["0.0.0.0/0", "::/0"]}],
}
KUBE_DNS = {
    "pods": {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
}


def manifest(**args: Any) -> dict[str, Any]:
    made = cluster_baseline_policy(ClusterBaselineSpec.parse(args))
    parse_cluster_policy(made)  # what the component writes, the engine reads
    return made


def test_the_default_is_the_baseline_admin_network_policy_denying_ingress_from_pods() -> None:
    assert manifest() == {
        "apiVersion": "policy.networking.k8s.io/v1alpha1",
        "kind": "BaselineAdminNetworkPolicy",
        "metadata": {"name": "default", "labels": MANAGED},
        "spec": {"subject": {"namespaces": NOT_SYSTEM}, "ingress": [DENY_INGRESS]},
    }


def test_denied_egress_keeps_dns_open_first_then_denies_pods_nodes_and_the_outside() -> None:
    assert manifest(egress=True, ingress=False)["spec"] == {
        "subject": {"namespaces": NOT_SYSTEM},
        "egress": [
            {
                "name": "allow-dns-egress",
                "action": "Allow",
                "to": [KUBE_DNS],
                "ports": [
                    {"portNumber": {"protocol": "UDP", "port": 53}},
                    {"portNumber": {"protocol": "TCP", "port": 53}},
                ],
            },
            DENY_EGRESS,
        ],
    }
    assert manifest(egress=True, allowDns=False)["spec"]["egress"] == [DENY_EGRESS]


def test_v1alpha2_writes_a_baseline_tier_cluster_network_policy_with_accept_and_protocols() -> None:
    made = manifest(api="v1alpha2", egress=True, priority=900, excludeNamespaces=[])
    assert (made["apiVersion"], made["kind"], made["metadata"]["name"]) == (
        "policy.networking.k8s.io/v1alpha2",
        "ClusterNetworkPolicy",
        "podfence-baseline",
    )
    spec = made["spec"]
    assert (spec["tier"], spec["priority"], spec["subject"]) == (
        "Baseline",
        900,
        {"namespaces": {}},
    )
    assert spec["ingress"] == [DENY_INGRESS]
    assert spec["egress"][0] == {
        "name": "allow-dns-egress",
        "action": "Accept",
        "to": [KUBE_DNS],
        "protocols": [
            {"udp": {"destinationPort": {"number": 53}}},
            {"tcp": {"destinationPort": {"number": 53}}},
        ],
    }


def test_v1beta1_writes_the_v1alpha2_policy_in_its_own_version() -> None:
    """ClusterNetworkPolicy v1beta1 has v1alpha2's fields (its every written CIDR is masked)."""
    args = {"egress": True, "priority": 900, "excludeNamespaces": []}
    v1beta1, v1alpha2 = manifest(api="v1beta1", **args), manifest(api="v1alpha2", **args)
    assert v1beta1["apiVersion"] == "policy.networking.k8s.io/v1beta1"
    assert {**v1beta1, "apiVersion": v1alpha2["apiVersion"]} == v1alpha2


@pytest.mark.parametrize(
    ("ports", "v1alpha1", "v1alpha2"),
    [
        (["dns"], [{"namedPort": "dns"}], [{"destinationNamedPort": "dns"}]),
        (
            ["all/UDP"],
            [{"portRange": {"protocol": "UDP", "start": 1, "end": 65535}}],
            [{"udp": {"destinationPort": {"range": {"start": 1, "end": 65535}}}}],
        ),
        (
            ["53-53/UDP"],
            [{"portNumber": {"protocol": "UDP", "port": 53}}],
            [{"udp": {"destinationPort": {"number": 53}}}],
        ),
        (
            ["5300-5400/SCTP"],
            [{"portRange": {"protocol": "SCTP", "start": 5300, "end": 5400}}],
            [{"sctp": {"destinationPort": {"range": {"start": 5300, "end": 5400}}}}],
        ),
    ],
)
def test_dns_ports_are_written_in_each_versions_words(
    ports: list[str], v1alpha1: list[Any], v1alpha2: list[Any]
) -> None:
    dns = {"ports": ports}
    assert manifest(egress=True, dns=dns)["spec"]["egress"][0]["ports"] == v1alpha1
    assert (
        manifest(api="v1alpha2", egress=True, dns=dns)["spec"]["egress"][0]["protocols"] == v1alpha2
    )


def test_a_namespace_selector_narrows_the_subject_and_the_exclusions_stay() -> None:
    subject = manifest(namespaceSelector={"matchLabels": {"tenant": "yes"}})["spec"]["subject"]
    assert subject == {"namespaces": {"matchLabels": {"tenant": "yes"}, **NOT_SYSTEM}}
