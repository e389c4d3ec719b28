"""lint.basis: the probe ports and addresses stand for every port and every outside address."""

from __future__ import annotations

import ipaddress
import random
from bisect import bisect_right

import pytest
from podfence.reachability import evaluate, load_cluster
from podfence.reachability.lint.basis import (
    Basis,
    _boundaries,
    free_address,
    ip_blocks,
    probe_addresses,
    probe_ports,
)
from podfence.reachability.model import External
from podfence.reachability.ports import PROTOCOLS
from podfence.reachability.traffic import Traffic
from reachability.helpers import (
    cluster_policy,
    node,
    pod,
    policy,
    random_cluster,
    random_tiered_cluster,
)


def test_ip_blocks_are_every_ip_block_peer_of_either_direction_in_order() -> None:
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"podSelector": {}}, {"ipBlock": {"cidr": "10.0.0.0/8"}}]}],
        "egress": [{}, {"to": [{"ipBlock": {"cidr": "fd00::/8", "except": ["fd00::/16"]}}]}],
    }
    cluster = load_cluster([policy("shop/p", spec), policy("shop/q", {"podSelector": {}})])
    assert [block.describe() for block in ip_blocks(cluster.policies)] == [
        "10.0.0.0/8",
        "fd00::/8 except fd00::/16",
    ]


def test_ip_blocks_take_the_networks_of_cluster_wide_rules_after_the_ip_blocks() -> None:
    banp = cluster_policy(
        "BaselineAdminNetworkPolicy",
        "default",
        {
            "subject": {"namespaces": {}},
            "egress": [{"action": "Deny", "to": [{"networks": ["0.0.0.0/0", "10.96.0.0/12"]}]}],
        },
    )
    deny = policy(
        "shop/p", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}
    )
    blocks = ip_blocks(load_cluster([banp, deny]).policies)
    assert [block.describe() for block in blocks] == ["10.0.0.0/8", "0.0.0.0/0", "10.96.0.0/12"]


def test_probe_ports_are_port_1_each_start_and_just_past_each_end_per_protocol() -> None:
    cluster = load_cluster(
        [
            pod("shop/web", "10.0.0.1", [{"containerPort": 8080, "name": "http"}], app="web"),
            policy(
                "shop/p",
                {
                    "podSelector": {},
                    "ingress": [
                        {"ports": [{"port": 80, "endPort": 90}, {"port": "http"}]},
                        {"ports": [{"protocol": "UDP", "port": 65535}, {"protocol": "SCTP"}]},
                    ],
                },
            ),
        ]
    )
    assert probe_ports(cluster.policies, cluster.inventory) == [
        (1, "TCP"),
        (80, "TCP"),
        (91, "TCP"),
        (8080, "TCP"),
        (8081, "TCP"),
        (1, "UDP"),
        (65535, "UDP"),
        (1, "SCTP"),
    ]


def test_probe_ports_take_the_port_numbers_and_ranges_of_cluster_wide_rules() -> None:
    anp = cluster_policy(
        "AdminNetworkPolicy",
        "deny-redis",
        {
            "priority": 10,
            "subject": {"namespaces": {}},
            "ingress": [
                {
                    "action": "Deny",
                    "from": [{"namespaces": {}}],
                    "ports": [
                        {"portNumber": {"protocol": "TCP", "port": 6379}},
                        {"portRange": {"protocol": "UDP", "start": 1000, "end": 2000}},
                        {"namedPort": "redis"},
                    ],
                }
            ],
        },
    )
    cluster = load_cluster([anp])
    assert probe_ports(cluster.policies, cluster.inventory) == [
        (1, "TCP"),
        (6379, "TCP"),
        (6380, "TCP"),
        (1, "UDP"),
        (1000, "UDP"),
        (2001, "UDP"),
        (1, "SCTP"),
    ]


def test_probe_addresses_start_each_stretch_and_skip_pod_ips() -> None:
    cluster = load_cluster(
        [
            pod("shop/web", "10.0.0.0", [], app="web"),
            policy(
                "shop/p",
                {
                    "podSelector": {},
                    "ingress": [
                        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]},
                        {"from": [{"ipBlock": {"cidr": "fd00::/64"}}]},
                    ],
                },
            ),
        ]
    )
    assert [str(a) for a in probe_addresses(cluster.policies, cluster.inventory)] == [
        "0.0.0.0",
        "10.0.0.1",  # 10.0.0.0 is the pod's
        "10.1.0.0",
        "10.2.0.0",
        "11.0.0.0",
        "::",
        "fd00::",
        "fd00:0:0:1::",
    ]


def test_each_node_address_is_probed_and_stands_for_no_other() -> None:
    cluster = load_cluster(
        [
            pod("shop/web", "10.0.0.1", [], app="web"),
            node("node-a", {"role": "a"}, ["0.0.0.0", "192.168.3.4", "10.0.0.1"]),
        ]
    )
    assert [str(a) for a in probe_addresses(cluster.policies, cluster.inventory)] == [
        "0.0.0.0",  # the node's
        "0.0.0.1",  # the first address of the stretch that is no node's
        "192.168.3.4",
        "::",
    ]  # 10.0.0.1 is the pod's


def test_without_ip_blocks_one_address_of_each_family_stands_for_all() -> None:
    cluster = load_cluster([pod("shop/web", "10.0.0.1", [], app="web")])
    assert [str(a) for a in probe_addresses(cluster.policies, cluster.inventory)] == [
        "0.0.0.0",
        "::",
    ]


def _representative(probes: list[int], value: int) -> int:
    return probes[bisect_right(probes, value) - 1]


GENERATORS = {"networkpolicies": random_cluster, "tiered": random_tiered_cluster}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_every_port_gets_the_verdict_of_its_probe(generator: str, seed: int) -> None:
    objects, _ = GENERATORS[generator](seed)
    cluster = load_cluster(objects)
    inventory = cluster.inventory
    probes = probe_ports(cluster.policies, inventory)
    rnd = random.Random(seed)
    for _ in range(100):
        source, destination = rnd.choice(inventory.pods), rnd.choice(inventory.pods)
        protocol = rnd.choice(PROTOCOLS)
        port = rnd.choice([52, 53, 54, 79, 80, 81, 82, 99, 100, 101, rnd.randint(1, 300)])
        mine = sorted(p for p, proto in probes if proto == protocol)
        probe = _representative(mine, port)
        at_port = evaluate(
            cluster.policies, inventory, Traffic(source, destination, port, protocol)
        )
        at_probe = evaluate(
            cluster.policies, inventory, Traffic(source, destination, probe, protocol)
        )
        assert at_port.allowed == at_probe.allowed, (port, probe, protocol)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_every_outside_address_gets_the_verdict_of_its_probe(generator: str, seed: int) -> None:
    objects, _ = GENERATORS[generator](seed)
    cluster = load_cluster(objects)
    inventory = cluster.inventory
    probes = probe_addresses(cluster.policies, inventory)
    boundaries = {v: sorted(b) for v, b in _boundaries(ip_blocks(cluster.policies)).items()}
    nodes = {a for n in inventory.nodes.values() for a in n.addresses}
    rnd = random.Random(seed)
    candidates = ["10.0.0.0/15", "192.168.0.0/15", "0.0.0.0/0", "fd00::/110", *map(str, nodes)]
    for _ in range(40):
        network = ipaddress.ip_network(rnd.choice(candidates))
        address = network.network_address + rnd.randrange(network.num_addresses)
        if inventory.with_ip(address) is not None:
            continue
        starts = boundaries[address.version]
        start = starts[bisect_right(starts, int(address)) - 1]
        if address in nodes:
            probe = address
            assert probe in probes
        else:
            (probe,) = [
                p
                for p in probes
                if p.version == address.version
                and p not in nodes
                and starts[bisect_right(starts, int(p)) - 1] == start
            ]
        for destination in inventory.pods:
            for port, protocol in [(80, "TCP"), (53, "UDP")]:
                verdicts = [
                    evaluate(
                        cluster.policies,
                        inventory,
                        Traffic(External(a), destination, port, protocol),
                    ).allowed
                    for a in (address, probe)
                ]
                assert verdicts[0] == verdicts[1], (address, probe)
                back = [
                    evaluate(
                        cluster.policies,
                        inventory,
                        Traffic(destination, External(a), port, protocol),
                    ).allowed
                    for a in (address, probe)
                ]
                assert back[0] == back[1], (address, probe)


def test_the_basis_knows_which_pod_classes_each_policy_selects() -> None:
    cluster = load_cluster(
        [
            pod("shop/web", "10.0.0.1", [], app="web"),
            pod("shop/api", "10.0.0.2", [], app="api"),
            policy("shop/web-only", {"podSelector": {"matchLabels": {"app": "web"}}}),
            policy("shop/nobody", {"podSelector": {"matchLabels": {"app": "cart"}}}),
        ]
    )
    basis = Basis.build(cluster.policies, cluster.inventory)
    web_only, nobody = cluster.policies
    assert [p.key for p in basis.pods(basis.selected[web_only])] == ["shop/web"]
    assert basis.selected[nobody] == 0


def test_a_free_address_is_no_pods_or_nodes_and_in_no_block_short_of_a_whole_family() -> None:
    narrow = policy(
        "shop/p",
        {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.3.0.0/16"}}]}]},
    )
    whole = policy(
        "shop/q",
        {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]},
    )
    cluster = load_cluster(
        [pod("shop/web", "10.1.0.1"), node("n", {}, ["10.2.0.1"]), narrow, whole]
    )
    candidates = ["10.1.0.1", "10.2.0.1", "10.3.0.1", "10.4.0.1"]
    found = free_address(cluster.policies, cluster.inventory, candidates)
    assert str(found) == "10.4.0.1"
    assert free_address(cluster.policies, cluster.inventory, candidates[:3]) is None
