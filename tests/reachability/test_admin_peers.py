"""The peers and ports only cluster-wide policies have: nodes, domain names, ports by name."""

from __future__ import annotations

import ipaddress

from podfence.reachability.admin_peers import DomainNamesPeer, NamedPort, NodePeer
from podfence.reachability.model import External, Node, Pod
from podfence.reachability.ports import ContainerPort
from podfence.reachability.selectors import LabelSelector

WORKER = Node("w1", {"role": "worker"}, (ipaddress.ip_address("172.18.0.3"),))
AT_WORKER = External(ipaddress.ip_address("172.18.0.3"), WORKER)
NOWHERE = External(ipaddress.ip_address("192.0.2.1"))
POD = Pod("a", "p", {"role": "worker"}, (ipaddress.ip_address("172.18.0.9"),))


def test_a_nodes_peer_matches_the_address_of_a_selected_node_only() -> None:
    workers = NodePeer(LabelSelector((("role", "worker"),)))
    assert workers.matches(AT_WORKER)
    assert not NodePeer(LabelSelector((("role", "control-plane"),))).matches(AT_WORKER)
    assert not workers.matches(NOWHERE), "an address of no known node"
    assert not workers.matches(POD), "a pod, whatever its labels"
    assert NodePeer(LabelSelector()).matches(AT_WORKER), "{} selects every node"
    assert workers.describe() == "nodes role=worker"
    assert NodePeer(LabelSelector()).describe() == "all nodes"
    assert not workers.reads_namespace_labels(AT_WORKER)


def test_a_domain_names_peer_matches_nothing_offline() -> None:
    peer = DomainNamesPeer(("example.com", "*.example.org"))
    assert not peer.matches(NOWHERE) and not peer.matches(POD) and not peer.matches(AT_WORKER)
    assert peer.describe() == "domain names example.com, *.example.org (not resolved offline)"


def test_a_named_port_is_the_destinations_port_of_that_name_on_its_own_protocol() -> None:
    ports = (ContainerPort(53, "UDP", "dns"), ContainerPort(5353, "TCP", "dns-tcp"))
    dns = NamedPort("dns")
    assert dns.matches(53, "UDP", ports)
    assert not dns.matches(53, "TCP", ports), "dns is UDP"
    assert not dns.matches(5353, "TCP", ports), "that is dns-tcp"
    assert not dns.matches(53, "UDP"), "a destination without ports (an address)"
    assert dns.describe() == "port dns"
