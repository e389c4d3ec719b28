"""Peers: every selector combination, ipBlocks, and malformed peers."""

from __future__ import annotations

import ipaddress

import pytest
from podfence.errors import InputError
from podfence.reachability.model import External, Pod
from podfence.reachability.peers import (
    IpBlockPeer,
    Peer,
    PodPeer,
    describe_peers,
    excluded_from,
    parse_peer,
)
from podfence.reachability.selectors import LabelSelector
from podfence.spec import IpBlock
from reachability.helpers import CONTEXT

NS_A = {"kubernetes.io/metadata.name": "a", "team": "blue"}
NS_B = {"kubernetes.io/metadata.name": "b", "team": "red"}


def peer(raw: object) -> Peer:
    return parse_peer(raw, "a", CONTEXT, "spec.ingress[0].from[0]")


def pod_matches(settled: Peer, namespace: str, labels: dict[str, str]) -> bool:
    """Whether the peer matches a pod of ``namespace`` (a or b) with ``labels``.

    Asked both ways: of the pod as an endpoint, and of its namespace part on its own; the two
    must agree with each other on the namespace.
    """
    assert isinstance(settled, PodPeer)
    namespace_labels = NS_A if namespace == "a" else NS_B
    endpoint = Pod(namespace, "p", labels, namespace_labels=namespace_labels)
    matched = settled.matches(endpoint)
    if matched:
        assert settled.namespace_matches(namespace, namespace_labels), (
            "a pod matches only when its namespace does"
        )
    return matched


def test_a_pod_selector_alone_means_the_policys_own_namespace() -> None:
    settled = peer({"podSelector": {"matchLabels": {"app": "web"}}})
    assert settled == PodPeer(LabelSelector((("app", "web"),)), namespace="a")
    assert pod_matches(settled, "a", {"app": "web"})
    assert not pod_matches(settled, "b", {"app": "web"})
    assert not pod_matches(settled, "a", {"app": "api"})
    assert settled.describe() == "pods app=web in namespace a"


def test_an_empty_pod_selector_alone_means_every_pod_of_the_own_namespace() -> None:
    settled = peer({"podSelector": {}})
    assert pod_matches(settled, "a", {})
    assert not pod_matches(settled, "b", {})
    assert settled.describe() == "all pods in namespace a"


def test_an_empty_namespace_selector_means_every_namespace() -> None:
    settled = peer({"namespaceSelector": {}})
    assert pod_matches(settled, "a", {})
    assert pod_matches(settled, "b", {"x": "y"})
    assert settled.describe() == "all pods in all namespaces"


def test_a_namespace_selector_alone_means_every_pod_of_the_matching_namespaces() -> None:
    settled = peer({"namespaceSelector": {"matchLabels": {"team": "red"}}})
    assert pod_matches(settled, "b", {"anything": "x"})
    assert not pod_matches(settled, "a", {})
    assert settled.describe() == "all pods in namespaces team=red"


def test_both_selectors_in_one_peer_are_anded() -> None:
    settled = peer(
        {
            "namespaceSelector": {"matchLabels": {"team": "red"}},
            "podSelector": {"matchLabels": {"app": "x"}},
        }
    )
    assert pod_matches(settled, "b", {"app": "x"})
    assert not pod_matches(settled, "b", {"app": "y"})
    assert not pod_matches(settled, "a", {"app": "x"})
    assert settled.describe() == "pods app=x in namespaces team=red"


def test_a_pod_selector_with_an_empty_namespace_selector_spans_every_namespace() -> None:
    settled = peer({"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}})
    assert pod_matches(settled, "a", {"app": "x"})
    assert pod_matches(settled, "b", {"app": "x"})
    assert not pod_matches(settled, "b", {"app": "y"})
    assert settled.describe() == "pods app=x in all namespaces"


def test_an_ip_block_matches_addresses_in_cidr_outside_every_except() -> None:
    settled = peer({"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.5.0/24", "10.0.9.0/24"]}})
    assert isinstance(settled, IpBlockPeer)
    address = ipaddress.ip_address
    assert settled.contains(address("10.0.0.1"))
    assert not settled.contains(address("10.0.5.7"))
    assert not settled.contains(address("10.0.9.255"))
    assert not settled.contains(address("10.1.0.1"))
    assert not settled.contains(address("::1"))
    assert settled.matches(External(address("10.0.4.4")))
    assert not settled.matches(External(address("10.0.5.4")))
    two_ips = Pod("b", "dual", {}, ips=(address("192.0.2.1"), address("10.0.4.4")))
    assert settled.matches(two_ips), "a pod matches when one of its IPs is in the block"
    assert not settled.matches(Pod("b", "pending", {})), "a pod without an IP matches no block"
    assert settled.describe() == "10.0.0.0/16 except 10.0.5.0/24, 10.0.9.0/24"


def test_an_ip_block_may_be_ipv6_and_may_have_host_bits_as_kubernetes_accepts() -> None:
    six = peer({"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"]}})
    assert isinstance(six, IpBlockPeer)
    assert six.contains(ipaddress.ip_address("2001:db8:2::1"))
    assert not six.contains(ipaddress.ip_address("2001:db8:1::1"))
    loose = peer({"ipBlock": {"cidr": "10.1.2.3/8"}})
    assert isinstance(loose, IpBlockPeer)
    assert str(loose.cidr) == "10.0.0.0/8"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "from[0]: a peer needs podSelector, namespaceSelector or ipBlock"),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}},
            "from[0]: ipBlock cannot be combined with podSelector or namespaceSelector",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/24"]}},
            "from[0].ipBlock.except[0]: '192.168.0.0/24': must be a strict subset of cidr "
            "10.0.0.0/8",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}},
            "from[0].ipBlock.except[0]: '10.0.0.0/8': must be a strict subset of cidr 10.0.0.0/8",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["fd00::/8"]}},
            "from[0].ipBlock.except[0]: 'fd00::/8': must be IPv4 like cidr 10.0.0.0/8, not IPv6",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.1"}},
            "from[0].ipBlock.cidr: '10.0.0.1': must be a CIDR: the mask is missing (did you mean "
            "'10.0.0.1/32'?)",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.300/8"}},
            "from[0].ipBlock.cidr: '10.0.0.300/8': must be a valid CIDR (e.g. 10.0.0.0/8 or "
            "2001:db8::/32)",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/255.0.0.0"}},
            "from[0].ipBlock.cidr: '10.0.0.0/255.0.0.0': must be a valid CIDR (e.g. 10.0.0.0/8 "
            "or 2001:db8::/32)",
        ),
        ({"ipBlock": {}}, "from[0].ipBlock.cidr: expected a CIDR such as 10.0.0.0/8, got None"),
        (
            {"podselector": {}},
            "from[0].podselector: unknown field (expected podSelector, namespaceSelector, ipBlock)",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "exclude": []}},
            "from[0].ipBlock.exclude: unknown field (expected cidr, except)",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": {}}},
            "from[0].ipBlock.except: expected a list of CIDRs, got {}",
        ),
        (
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ""}},
            "from[0].ipBlock.except: expected a list of CIDRs, got ''",
        ),
        ({"podSelector": []}, "from[0].podSelector: expected a label selector map, got []"),
        (
            {"namespaceSelector": ""},
            "from[0].namespaceSelector: expected a label selector map, got ''",
        ),
        (None, "from[0]: a peer needs podSelector, namespaceSelector or ipBlock"),
        ("10.0.0.0/8", "from[0]: expected a peer map, got '10.0.0.0/8'"),
    ],
)
def test_a_malformed_peer_is_one_line_naming_the_field_and_value(raw: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        peer(raw)
    assert str(caught.value) == f"policies.yaml: NetworkPolicy shop/test: spec.ingress[0].{message}"


def test_a_namespace_selected_by_its_name_label_reads_as_that_namespace() -> None:
    settled = peer(
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    )
    assert settled.describe() == "pods k8s-app=kube-dns in namespace kube-system"


def test_a_pod_peer_never_matches_an_address_outside_the_cluster() -> None:
    everything = peer({"namespaceSelector": {}, "podSelector": {}})
    assert isinstance(everything, PodPeer)
    assert everything.matches(Pod("b", "x", {}, namespace_labels=NS_B))
    assert not everything.matches(External(ipaddress.ip_address("10.0.0.1"))), (
        "an address has no namespace: only ipBlocks match it"
    )


def test_the_namespace_part_is_the_own_namespace_or_the_namespace_selector() -> None:
    own = peer({"podSelector": {}})
    assert isinstance(own, PodPeer)
    assert own.namespace_matches("a", NS_B), "no namespaceSelector: the name decides, not labels"
    assert not own.namespace_matches("b", NS_A)
    red = peer({"namespaceSelector": {"matchLabels": {"team": "red"}}})
    assert isinstance(red, PodPeer)
    assert red.namespace_matches("b", NS_B)
    assert red.namespace_matches("a", NS_B), "a namespaceSelector reads labels, not the name"
    assert not red.namespace_matches("b", NS_A)


def public_internet() -> list[Peer]:
    """The two peers of ``IpBlock.public_internet()``, as a policy holds them."""
    return [
        peer({"ipBlock": {"cidr": block.cidr, "except": list(block.except_)}})
        for block in IpBlock.public_internet()
    ]


def test_the_public_internets_blocks_read_as_one_by_name() -> None:
    v4, v6 = public_internet()
    assert describe_peers([v4, v6]) == (
        "the public internet (0.0.0.0/0 and ::/0 except private, shared, loopback, link-local, "
        "multicast and reserved ranges)"
    )
    assert describe_peers([v6]) == (
        "the public IPv6 internet (::/0 except private, loopback, link-local, multicast and "
        "reserved ranges)"
    )
    web = peer({"podSelector": {"matchLabels": {"app": "web"}}})
    assert describe_peers([web, v6, v4]) == (
        "pods app=web in namespace a or the public internet (0.0.0.0/0 and ::/0 except private, "
        "shared, loopback, link-local, multicast and reserved ranges)"
    )


def test_a_policy_not_written_by_podfence_reads_back_as_the_public_internet() -> None:
    v4, _ = IpBlock.public_internet()
    split = [e for e in v4.except_ if e != "224.0.0.0/3"] + ["240.0.0.0/4", "224.0.0.0/4"]
    written = peer({"ipBlock": {"cidr": "0.0.0.0/0", "except": list(reversed(split))}})
    assert written.describe().startswith("the public IPv4 internet (0.0.0.0/0 except private")
    short = peer({"ipBlock": {"cidr": "0.0.0.0/0", "except": split[1:]}})
    assert short.describe().startswith("0.0.0.0/0 except ")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "169.254.169.254",
            "it is excluded as link-local (169.254.0.0/16, cloud metadata included)",
        ),
        ("10.0.0.5", "it is excluded as private (10.0.0.0/8)"),
        ("fe80::1", "it is excluded as link-local (fe80::/10)"),
        ("8.8.8.8", None),
    ],
)
def test_an_address_the_public_internet_excludes_is_told_why(text: str, why: str | None) -> None:
    endpoint = External(ipaddress.ip_address(text))
    assert excluded_from(public_internet(), endpoint) == why
    assert any(p.matches(endpoint) for p in public_internet()) == (why is None)


def test_a_pod_is_told_which_of_its_ips_is_excluded_and_other_blocks_say_nothing() -> None:
    pod = Pod("a", "web", {}, ips=(ipaddress.ip_address("10.244.1.5"),))
    assert excluded_from(public_internet(), pod) == (
        "its IP 10.244.1.5 is excluded as private (10.0.0.0/8)"
    )
    office = peer({"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}})
    assert excluded_from([office], pod) is None
    assert excluded_from(public_internet()[1:], pod) is None
