"""lint.defaults: a stand-in pod no rule names, and what the engine decides for it."""

from __future__ import annotations

import ipaddress
from typing import Any

from podfence.reachability import load_cluster
from podfence.reachability.lint.defaults import StandIn, tier_denials, undecided
from reachability.helpers import cluster_policy, namespace, pod, policy

WEB = pod("shop/web-0", "10.244.0.11", [{"containerPort": 8080, "name": "http"}], app="web")


def _stand_in(*objects: dict[str, Any]) -> tuple[Any, StandIn]:
    cluster = load_cluster([WEB, *objects])
    return cluster, StandIn.build(cluster.policies, cluster.inventory)


def _banp(**spec: Any) -> dict[str, Any]:
    return cluster_policy(
        "BaselineAdminNetworkPolicy", "default", {"subject": {"namespaces": {}}, **spec}
    )


def test_the_stand_in_is_a_pod_without_labels_in_a_namespace_of_its_own() -> None:
    _, stand_in = _stand_in(namespace("podfence-stand-in"))
    assert stand_in.pod.key == "podfence-stand-in-2/pod"
    assert (dict(stand_in.pod.labels), stand_in.pod.ports) == ({}, ())
    assert dict(stand_in.pod.namespace_labels) == {
        "kubernetes.io/metadata.name": "podfence-stand-in-2"
    }
    assert "podfence-stand-in-2" not in stand_in.inventory.implicit_namespaces
    assert stand_in.inventory.pod("shop/web-0").key == "shop/web-0"


def test_its_address_is_no_pods_and_in_no_block_short_of_a_whole_family() -> None:
    narrow = policy(
        "shop/p",
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "172.20.0.0/16"}}]}],
        },
    )
    whole = _banp(egress=[{"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}])
    _, stand_in = _stand_in(narrow, whole)
    # 10.244.0.11 is the pod's, 172.20.0.11 in the /16; 0.0.0.0/0 holds every address anyway
    assert stand_in.pod.ips == (ipaddress.ip_address("100.64.0.11"),)


def test_verdicts_go_from_it_for_ingress_and_to_it_and_each_address_for_egress() -> None:
    cluster, stand_in = _stand_in()
    web = stand_in.inventory.pod("shop/web-0")
    ports = [(8080, "TCP"), (1, "UDP")]
    ingress = list(stand_in.verdicts(cluster.policies, web, "ingress", ports))
    assert [v.traffic.describe() for v in ingress] == [
        "podfence-stand-in/pod -> shop/web-0 on 8080/TCP",
        "podfence-stand-in/pod -> shop/web-0 on 1/UDP",
    ]
    address = ipaddress.ip_address("203.0.113.7")
    egress = list(stand_in.verdicts(cluster.policies, web, "egress", ports[:1], [address]))
    assert [v.traffic.describe() for v in egress] == [
        "shop/web-0 -> podfence-stand-in/pod on 8080/TCP",
        "shop/web-0 -> 203.0.113.7 on 8080/TCP",
    ]


def test_undecided_is_the_first_connection_nothing_decides() -> None:
    deny_80 = {
        "name": "deny-80",
        "action": "Deny",
        "from": [{"namespaces": {}}],
        "ports": [{"portNumber": {"protocol": "TCP", "port": 8080}}],
    }
    cluster, stand_in = _stand_in(_banp(ingress=[deny_80]))
    web = stand_in.inventory.pod("shop/web-0")
    verdicts = list(
        stand_in.verdicts(cluster.policies, web, "ingress", [(8080, "TCP"), (1, "TCP")])
    )
    found = undecided(verdicts, "ingress")
    assert found is verdicts[1]
    assert undecided(verdicts[:1], "ingress") is None
    rules, spared = tier_denials(verdicts, "ingress")
    assert ([str(r) for r in rules], spared) == (
        ['BaselineAdminNetworkPolicy default (Baseline tier), ingress rule 0 "deny-80"'],
        verdicts[1],
    )
    assert tier_denials(verdicts[:1], "ingress") == (rules, None)


def test_a_network_policy_decides_and_is_no_cluster_wide_denial() -> None:
    deny_all = policy("shop/deny-all", {"podSelector": {}})
    cluster, stand_in = _stand_in(deny_all, _banp(ingress=[]))
    web = stand_in.inventory.pod("shop/web-0")
    verdicts = list(stand_in.verdicts(cluster.policies, web, "ingress", [(8080, "TCP")]))
    assert undecided(verdicts, "ingress") is None
    assert tier_denials(verdicts, "ingress") == ([], verdicts[0])
