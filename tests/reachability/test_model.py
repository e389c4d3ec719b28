"""The model: pods and namespaces read from their dicts, and addresses outside the cluster."""

from __future__ import annotations

import ipaddress

import pytest
from podfence.errors import InputError
from podfence.reachability.loader import Document
from podfence.reachability.model import (
    NAME_LABEL,
    External,
    Node,
    implicit_namespace,
    parse_address,
    parse_namespace,
    parse_node,
    parse_pod,
)
from podfence.reachability.ports import ContainerPort
from reachability.helpers import namespace, pod


def test_a_pod_has_its_namespace_labels_ips_and_deduplicated_ports() -> None:
    raw = pod("shop/web-0", "10.0.0.1", [{"containerPort": 80, "name": "http"}], app="web")
    raw["spec"]["containers"].append(
        {
            "name": "sidecar",
            "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 9100}],
        }
    )
    raw["status"]["podIPs"] = [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]
    parsed = parse_pod(raw)
    assert parsed.key == "shop/web-0"
    assert parsed.labels == {"app": "web"}
    assert parsed.ips == (ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("fd00::1"))
    assert parsed.ports == (ContainerPort(80, "TCP", "http"), ContainerPort(9100, "TCP"))


def test_a_pod_without_namespace_is_in_default_and_without_status_has_no_ip() -> None:
    parsed = parse_pod({"kind": "Pod", "metadata": {"name": "lonely"}})
    assert parsed.key == "default/lonely"
    assert parsed.ips == ()
    assert parsed.ports == ()


def test_every_namespace_carries_its_name_label() -> None:
    assert parse_namespace(namespace("shop", team="a")).labels == {"team": "a", NAME_LABEL: "shop"}
    assert implicit_namespace("x").labels == {NAME_LABEL: "x"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ({"podIP": "10.0.0.300"}, "status.podIP: '10.0.0.300' is not an IPv4 or IPv6 address"),
        ({"podIP": "10.0.0.0/24"}, "status.podIP: '10.0.0.0/24' is not an IPv4 or IPv6 address"),
        ({"podIPs": [{"ip": "nope"}]}, "status.podIPs[0].ip: 'nope' is not an IPv4 or IPv6"),
        ({"podIPs": "10.0.0.1"}, "status.podIPs: expected a list, got '10.0.0.1'"),
    ],
)
def test_an_unparsable_pod_ip_names_the_pod_field_and_value(
    status: dict[str, object], message: str
) -> None:
    raw = Document(pod("shop/web-0"), "pods.yaml")
    raw["status"] = status
    with pytest.raises(InputError) as caught:
        parse_pod(raw)
    assert str(caught.value) == f"pods.yaml: Pod shop/web-0: {message}" or str(
        caught.value
    ).startswith(f"pods.yaml: Pod shop/web-0: {message}")


def test_malformed_labels_and_ports_are_rejected() -> None:
    with pytest.raises(InputError, match=r"Pod shop/a: metadata.labels.version: label value 2"):
        parse_pod(
            {
                "kind": "Pod",
                "metadata": {"name": "a", "namespace": "shop", "labels": {"version": 2}},
            }
        )
    with pytest.raises(InputError, match=r"spec.containers\[0\].ports\[0\].containerPort"):
        parse_pod(pod("shop/a", ports=[{"containerPort": "http"}]))
    with pytest.raises(InputError, match=r"Namespace \(unnamed\): metadata.name"):
        parse_namespace({"kind": "Namespace", "metadata": {}})


def test_a_command_line_address_error_has_no_object_prefix() -> None:
    with pytest.raises(InputError, match=r"^'foo' is not an IPv4 or IPv6 address$"):
        parse_address("foo")


def test_a_port_name_used_twice_in_one_container_is_rejected() -> None:
    raw = pod(
        "shop/a",
        ports=[
            {"containerPort": 8000, "name": "metrics"},
            {"containerPort": 9100, "name": "metrics"},
        ],
    )
    with pytest.raises(InputError) as caught:
        parse_pod(raw)
    assert str(caught.value) == (
        "Pod shop/a: spec.containers[0].ports[1].name: 'metrics' already names 8000/TCP "
        "of this container"
    )


def test_an_address_outside_the_cluster_is_an_endpoint_with_no_namespace_labels_or_ports() -> None:
    outside = External(ipaddress.ip_address("93.184.216.34"))
    assert outside.key == "93.184.216.34"
    assert outside.namespace is None
    assert outside.labels == {} and outside.namespace_labels == {}
    assert outside.ips == (ipaddress.ip_address("93.184.216.34"),)
    assert outside.ports == ()
    assert outside == External(ipaddress.ip_address("93.184.216.34"))
    node = Node("worker-1", {}, (ipaddress.ip_address("10.0.0.11"),))
    assert External(ipaddress.ip_address("10.0.0.11"), node).key == "node/worker-1 (10.0.0.11)"


def test_a_parsed_pod_knows_no_namespace_labels_until_an_inventory_places_it() -> None:
    assert parse_pod(pod("shop/web-0")).namespace_labels == {}


DNS_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
DNS_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (
            {"name": "guestbook db", "namespace": "shop"},
            f"Pod shop/guestbook db: metadata.name: 'guestbook db': {DNS_SUBDOMAIN}",
        ),
        (
            {"name": "web", "namespace": "Guest_Book"},
            f"Pod Guest_Book/web: metadata.namespace: 'Guest_Book': {DNS_LABEL}",
        ),
        (
            {"name": "web", "namespace": "a" * 64},
            f"Pod {'a' * 57}.../web: metadata.namespace: '{'a' * 56}...: must be no more than 63 "
            "characters",
        ),
        (
            {"name": "web", "namespace": 7},
            "Pod web: metadata.namespace: expected a namespace name, got 7",
        ),
        (
            {"name": "web", "namespace": []},
            "Pod web: metadata.namespace: expected a namespace name, got []",
        ),
        (
            {"name": "web", "labels": {"-app": "x"}},
            "Pod default/web: metadata.labels: label key '-app': name part must consist of "
            "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character",
        ),
        (
            {"name": "web", "labels": []},
            "Pod default/web: metadata.labels: expected a map of labels, got []",
        ),
    ],
)
def test_a_pod_name_namespace_or_label_the_api_server_refuses_is_one_line(
    metadata: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_pod(Document({"kind": "Pod", "metadata": metadata}, "pods.yaml"))
    assert str(caught.value) == f"pods.yaml: {message}"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("guest.book", "metadata.name: 'guest.book': must not contain dots"),
        ("Payments", f"metadata.name: 'Payments': {DNS_LABEL}"),
    ],
)
def test_a_namespace_name_must_be_a_dns1123_label(name: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_namespace(namespace(name))
    assert str(caught.value) == f"Namespace {name}: {message}"


@pytest.mark.parametrize(
    ("part", "value", "message"),
    [
        ("spec", [], "spec: expected a map, got []"),
        ("spec", "", "spec: expected a map, got ''"),
        ("spec", {"containers": {}}, "spec.containers: expected a list, got {}"),
        (
            "spec",
            {"containers": [{"ports": {}}]},
            "spec.containers[0].ports: expected a list, got {}",
        ),
        (
            "spec",
            {"containers": [{"ports": ""}]},
            "spec.containers[0].ports: expected a list, got ''",
        ),
        ("status", [], "status: expected a map, got []"),
    ],
)
def test_a_pod_part_of_the_wrong_type_is_an_error_not_nothing(
    part: str, value: object, message: str
) -> None:
    raw = pod("shop/web-0")
    raw[part] = value
    with pytest.raises(InputError) as caught:
        parse_pod(raw)
    assert str(caught.value) == f"Pod shop/web-0: {message}"


def test_null_pod_parts_are_absent() -> None:
    raw = pod("shop/web-0")
    raw["spec"] = {"containers": [{"name": "main", "ports": None}]}
    raw["status"] = None
    assert parse_pod(raw).ports == ()
    raw["spec"] = None
    assert parse_pod(raw).ips == ()


def test_a_node_has_its_labels_and_its_internal_and_external_addresses() -> None:
    raw = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "worker-1.example.com", "labels": {"role": "worker"}},
        "status": {
            "addresses": [
                {"type": "Hostname", "address": "worker-1"},
                {"type": "InternalIP", "address": "10.1.0.5"},
                {"type": "ExternalIP", "address": "203.0.113.5"},
                {"type": "InternalIP", "address": "10.1.0.5"},
                {"type": "InternalDNS", "address": "worker-1.internal"},
            ]
        },
    }
    node = parse_node(raw)
    assert (node.name, dict(node.labels)) == ("worker-1.example.com", {"role": "worker"})
    assert node.addresses == (
        ipaddress.ip_address("10.1.0.5"),
        ipaddress.ip_address("203.0.113.5"),
    ), "InternalIP and ExternalIP, each once; host names are not addresses"
    assert parse_node({"kind": "Node", "metadata": {"name": "bare"}}).addresses == ()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            {"addresses": [{"type": "InternalIP", "address": "10.1.0"}]},
            "Node n: status.addresses[0].address: '10.1.0' is not an IPv4 or IPv6 address",
        ),
        (
            {"addresses": [{"type": "InternalIP"}]},
            "Node n: status.addresses[0].address: expected an address, got None",
        ),
        ({"addresses": "10.1.0.5"}, "Node n: status.addresses: expected a list, got '10.1.0.5'"),
        (
            {"addresses": ["10.1.0.5"]},
            "Node n: status.addresses[0]: expected a map with type and address, got '10.1.0.5'",
        ),
    ],
)
def test_a_node_address_that_is_not_an_address_is_one_line(
    status: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        parse_node({"kind": "Node", "metadata": {"name": "n"}, "status": status})
    assert str(raised.value) == message
