"""The Inventory: pods and namespaces, how a user names them, and addresses as the cluster sees them."""

from __future__ import annotations

import ipaddress

import pytest
from podfence.errors import InputError
from podfence.reachability import External, Inventory, Namespace, Pod, sample_address
from podfence.reachability.model import Node, parse_namespace, parse_pod
from reachability.helpers import namespace, pod

address = ipaddress.ip_address


def inventory() -> Inventory:
    return Inventory(
        [parse_namespace(namespace("shop", team="blue"))],
        [
            parse_pod(pod("shop/web", "10.0.0.1", [{"containerPort": 80, "name": "http"}])),
            parse_pod(pod("default/web", "10.0.0.2")),
            parse_pod(pod("default/api", "10.0.0.3")),
            parse_pod(pod("other/pending")),
        ],
    )


def test_pods_are_sorted_and_know_their_namespaces_labels() -> None:
    found = inventory()
    assert [p.key for p in found.pods] == [
        "default/api",
        "default/web",
        "other/pending",
        "shop/web",
    ]
    assert found.pod("shop/web").namespace_labels == {
        "team": "blue",
        "kubernetes.io/metadata.name": "shop",
    }
    assert found.pod("default/web").namespace_labels == {"kubernetes.io/metadata.name": "default"}
    assert found.namespaces["other"] == Namespace("other", {})
    assert found.namespace_labels("other") == {"kubernetes.io/metadata.name": "other"}, (
        "a namespace without an object gets the name label the API server sets"
    )


def test_a_namespace_or_pod_given_twice_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^Namespace a appears twice$"):
        Inventory([Namespace("a", {}), Namespace("a", {})])
    twice = parse_pod(pod("a/x"))
    with pytest.raises(InputError, match=r"^Pod a/x appears twice$"):
        Inventory([], [twice, twice])


def test_a_pod_is_named_namespace_slash_name_or_by_a_bare_name_in_default() -> None:
    found = inventory()
    assert found.pod("web").key == "default/web"
    assert found.pod("shop/web").key == "shop/web"
    with pytest.raises(InputError) as caught:
        found.pod("shop/wbe", "--to")
    assert str(caught.value) == "--to no pod 'shop/wbe' in the inventory; did you mean shop/web?"
    with pytest.raises(InputError) as caught:
        found.pod("nothing/like-it")
    assert str(caught.value) == "no pod 'nothing/like-it' in the inventory", (
        "no flag, no suggestion: nothing is close"
    )


def test_an_endpoint_is_a_pod_or_an_address_and_a_pods_ip_is_that_pod() -> None:
    found = inventory()
    assert found.endpoint("shop/web", "--from") is found.pod("shop/web")
    assert found.endpoint("web", "--from") is found.pod("default/web")
    assert found.endpoint("10.0.0.1", "--from") is found.pod("shop/web")
    outside = found.endpoint("8.8.8.8", "--to")
    assert outside == External(address("8.8.8.8"))
    assert found.endpoint("2001:db8::1", "--to") == External(address("2001:db8::1"))


def test_a_typed_address_is_never_taken_for_a_pod_name() -> None:
    found = inventory()  # default/web would be a 'close match' of default/8.8.8.8
    assert found.endpoint("8.8.8.8", "--to") == External(address("8.8.8.8"))
    with pytest.raises(InputError) as caught:
        found.endpoint("8.8.8.300", "--to")
    assert str(caught.value) == "--to '8.8.8.300' is not a valid IP address"
    assert "did you mean" not in str(caught.value)


def test_a_cidr_is_not_an_endpoint_and_the_error_names_the_flag() -> None:
    with pytest.raises(InputError) as caught:
        inventory().endpoint("10.0.0.0/8", "--from")
    assert str(caught.value) == "--from '10.0.0.0/8' is a CIDR; give one address, e.g. 10.0.0.0"
    with pytest.raises(InputError, match=r"^--to 'fd00::/64' is a CIDR; give one address"):
        inventory().endpoint("fd00::/64", "--to")


def test_place_gives_the_inventorys_view_of_an_endpoint() -> None:
    found = inventory()
    bare = parse_pod(pod("shop/web"))
    assert bare.namespace_labels == {}, "a pod outside an inventory knows no namespace labels"
    placed = found.place(bare)
    assert placed is found.pod("shop/web") and placed.namespace_labels["team"] == "blue"
    assert found.place(External(address("10.0.0.3"))) is found.pod("default/api")
    assert found.place(External(address("10.9.9.9"))) == External(address("10.9.9.9"))
    with pytest.raises(InputError, match=r"^no pod 'shop/gone' in the inventory"):
        found.place(Pod("shop", "gone", {}))


def test_with_ip_finds_the_pod_that_has_an_address() -> None:
    found = inventory()
    assert found.with_ip(address("10.0.0.2")) is found.pod("default/web")
    assert found.with_ip(address("10.0.0.9")) is None
    assert found.address(address("10.0.0.9")) == External(address("10.0.0.9"))


@pytest.mark.parametrize(
    ("text", "sample"),
    [
        ("93.184.216.34", "93.184.216.34"),
        ("203.0.113.0/24", "203.0.113.1"),
        ("10.1.2.3/8", "10.0.0.1"),
        ("198.51.100.7/32", "198.51.100.7"),
        ("198.51.100.6/31", "198.51.100.6"),
        ("2001:db8::/64", "2001:db8::1"),
        ("2001:db8::5", "2001:db8::5"),
    ],
)
def test_sample_address_is_the_address_or_the_first_host_of_a_cidr(text: str, sample: str) -> None:
    assert sample_address(text, "--external") == address(sample)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("example.com", "--external 'example.com' is not an IPv4 or IPv6 address"),
        ("10.0.0.300", "--external '10.0.0.300' is not an IPv4 or IPv6 address"),
        ("10.0.0.0/33", "--external '10.0.0.0/33' is not an address or a CIDR"),
        ("web/24", "--external 'web/24' is not an address or a CIDR"),
    ],
)
def test_sample_address_names_the_flag_of_what_is_neither(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        sample_address(text, "--external")
    assert str(caught.value) == message


def test_the_namespaces_pods_use_without_defining_them_are_recorded_as_implicit() -> None:
    inventory = Inventory(
        [parse_namespace(namespace("shop", team="a"))],
        [parse_pod(pod("shop/a")), parse_pod(pod("payments/b")), parse_pod(pod("payments/c"))],
    )
    assert inventory.implicit_namespaces == frozenset({"payments"})
    assert inventory.namespace_labels("payments") == {"kubernetes.io/metadata.name": "payments"}
    assert Inventory([parse_namespace(namespace("shop"))], []).implicit_namespaces == frozenset()


def test_an_address_of_a_node_is_that_nodes_and_a_pods_ip_stays_the_pods() -> None:
    worker = Node("worker", {"role": "worker"}, (address("172.18.0.3"), address("10.0.0.1")))
    found = Inventory([], [parse_pod(pod("shop/web", "10.0.0.1"))], [worker])
    at_node = found.address(address("172.18.0.3"))
    assert isinstance(at_node, External) and at_node.node == worker
    assert found.endpoint("172.18.0.3", "--to") == External(address("172.18.0.3"))
    assert found.external(address("192.0.2.1")).node is None
    assert found.address(address("10.0.0.1")).key == "shop/web", "a pod's IP is the pod's"
    assert found.nodes == {"worker": worker}


def test_a_nodes_address_is_named_by_its_node_and_read_back_by_that_name() -> None:
    worker = Node("worker-1", {}, (address("172.18.0.3"), address("198.51.100.3")))
    found = Inventory([], [], [worker])
    at_node = found.address(address("198.51.100.3"))
    assert at_node.key == "node/worker-1 (198.51.100.3)"
    assert found.endpoint(at_node.key, "--to") == at_node
    with pytest.raises(InputError, match=r"^--to no node 'worker-2' in the inventory$"):
        found.endpoint("node/worker-2 (172.18.0.3)", "--to")
    with pytest.raises(InputError, match=r"^--to 172.18.0.9 is not an address of node worker-1$"):
        found.endpoint("node/worker-1 (172.18.0.9)", "--to")
    with pytest.raises(InputError, match=r"^--to 'x' is not a valid IP address$"):
        found.endpoint("node/worker-1 (x)", "--to")


def test_a_node_given_twice_is_an_error() -> None:
    node = Node("n", {})
    with pytest.raises(InputError, match=r"^Node n appears twice$"):
        Inventory([], [], [node, node])


def test_with_pods_adds_pods_and_namespaces_and_keeps_the_rest() -> None:
    worker = Node("worker", {}, (address("172.18.0.3"),))
    base = Inventory(
        [parse_namespace(namespace("shop", team="a"))],
        [parse_pod(pod("shop/a", "10.0.0.1")), parse_pod(pod("payments/b"))],
        [worker],
    )
    more = base.with_pods(
        [parse_pod(pod("extra/c", "10.0.0.9")), parse_pod(pod("payments/d"))],
        [parse_namespace(namespace("extra", zone="z"))],
    )
    assert [p.key for p in more.pods] == ["extra/c", "payments/b", "payments/d", "shop/a"]
    assert more.namespace_labels("extra")["zone"] == "z"
    assert more.namespace_labels("shop")["team"] == "a"
    assert more.implicit_namespaces == frozenset({"payments"})
    assert more.with_ip(address("10.0.0.9")) == more.pod("extra/c")
    assert more.nodes == {"worker": worker}
    assert [p.key for p in base.pods] == ["payments/b", "shop/a"], "the original is unchanged"
    with pytest.raises(InputError, match=r"^Pod shop/a appears twice$"):
        base.with_pods([parse_pod(pod("shop/a"))])
