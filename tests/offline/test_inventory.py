"""The inventory derived from a firewall config."""

from __future__ import annotations

import ipaddress
from typing import Any

from podfence.config import FirewallConfig
from podfence.offline.inventory import derive_inventory, labels_matching, sample_addresses
from podfence.spec import IpBlock, LabelSelector

BASE: dict[str, Any] = {
    "namespace": "shop",
    "tiers": {
        "web": {"podLabels": {"app": "web"}, "ports": [80, "53/UDP"]},
        "pay": {"podLabels": {"app": "pay"}, "namespace": "payments", "ports": ["9000-9002/TCP"]},
    },
    "flows": [{"from": "web", "to": "pay"}],
}


def _pods(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        f"{o['metadata']['namespace']}/{o['metadata']['name']}": o
        for o in objects
        if o["kind"] == "Pod"
    }


def test_there_is_one_pod_per_tier_with_its_labels_and_ports() -> None:
    pods = _pods(derive_inventory(FirewallConfig.parse(BASE)).objects)
    web = pods["shop/web"]
    assert web["metadata"]["labels"] == {"app": "web"}
    assert web["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP"},
        {"containerPort": 53, "protocol": "UDP"},
    ]
    assert [p["containerPort"] for p in pods["payments/pay"]["spec"]["containers"][0]["ports"]] == [
        9000,
        9002,
    ]


def test_every_namespace_carries_its_name_label() -> None:
    objects = derive_inventory(FirewallConfig.parse(BASE)).objects
    namespaces = {
        o["metadata"]["name"]: o["metadata"]["labels"] for o in objects if o["kind"] == "Namespace"
    }
    assert {"shop", "payments", "default"} <= set(namespaces)
    for name, labels in namespaces.items():
        assert labels["kubernetes.io/metadata.name"] == name


def test_an_admitted_namespace_gets_a_client_and_when_only_some_pods_are_admitted_an_other() -> (
    None
):
    config = FirewallConfig.parse(
        {
            **BASE,
            "namespaceAllows": [
                {
                    "name": "allow-scraper",
                    "fromNamespaceSelector": {"matchLabels": {"team": "monitoring"}},
                    "fromPodSelector": {"matchLabels": {"app": "prometheus"}},
                }
            ],
        }
    )
    objects = derive_inventory(config).objects
    pods = _pods(objects)
    assert pods["monitoring/client"]["metadata"]["labels"] == {"app": "prometheus"}
    assert pods["monitoring/other"]["metadata"]["labels"] == {"app": "other"}
    (namespace,) = [
        o for o in objects if o["kind"] == "Namespace" and o["metadata"]["name"] == "monitoring"
    ]
    assert namespace["metadata"]["labels"]["team"] == "monitoring"


def test_dns_pods_exist_only_when_egress_is_denied_and_dns_kept() -> None:
    assert "kube-system/kube-dns" not in _pods(derive_inventory(FirewallConfig.parse(BASE)).objects)
    denied = FirewallConfig.parse({**BASE, "defaultDeny": {"egress": True}})
    dns = _pods(derive_inventory(denied).objects)["kube-system/kube-dns"]
    assert dns["metadata"]["labels"] == {"k8s-app": "kube-dns"}


def test_pod_ips_avoid_every_ip_block() -> None:
    config = FirewallConfig.parse(
        {
            **BASE,
            "ipBlockAllows": [{"name": "allow-pods-range", "ipBlocks": [{"cidr": "10.0.0.0/8"}]}],
        }
    )
    for pod in _pods(derive_inventory(config).objects).values():
        assert ipaddress.ip_address(pod["status"]["podIP"]) not in ipaddress.ip_network(
            "10.0.0.0/8"
        )


def test_sample_addresses_lie_inside_the_block_inside_each_exception_and_outside() -> None:
    block = IpBlock.ipv4("10.72.0.0/16", except_=["10.72.0.0/24", "10.72.10.0/24"])
    assert sample_addresses(block) == ["10.72.1.0", "10.72.0.1", "10.72.10.1", "10.73.0.1"]


def test_the_public_internet_gets_a_public_sample_and_pods_no_block_matches() -> None:
    config = FirewallConfig.parse(
        {**BASE, "ipBlockAllows": [{"name": "allow-apis", "to": "public-internet"}]}
    )
    derived = derive_inventory(config)
    v4, v6 = IpBlock.public_internet()
    assert derived.externals[0] == "1.0.0.0", "the first address no exception holds"
    assert "2000::" in derived.externals
    assert "169.254.0.1" in derived.externals, "one address in each exception"
    assert derived.nodes["1.0.0.0"] == v4.describe()
    assert derived.nodes["2000::"] == v6.describe()
    for pod in _pods(derived.objects).values():
        ip = ipaddress.ip_address(pod["status"]["podIP"])
        assert any(ip in ipaddress.ip_network(e) for e in v4.except_), "no pod is public"


def test_a_block_whose_low_end_is_excepted_still_has_a_sample_inside() -> None:
    block = IpBlock.ipv4("10.0.0.0/8", except_=["10.0.0.0/16", "10.1.0.0/16"])
    assert sample_addresses(block)[0] == "10.2.0.0"
    assert sample_addresses(IpBlock.ipv4("10.0.0.0/16", except_=["10.0.0.0/17"]))[0] == (
        "10.0.128.0"
    )


def test_labels_matching_satisfies_in_and_exists_and_leaves_out_not_in() -> None:
    selector = LabelSelector.parse(
        {
            "matchLabels": {"a": "1"},
            "matchExpressions": [
                {"key": "b", "operator": "In", "values": ["x", "y"]},
                {"key": "c", "operator": "Exists"},
                {"key": "d", "operator": "NotIn", "values": ["z"]},
            ],
        }
    )
    assert labels_matching(selector) == {"a": "1", "b": "x", "c": "present"}
