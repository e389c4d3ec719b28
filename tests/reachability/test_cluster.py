"""load_cluster(): objects sorted into policies and inventory, and warnings for what is not evaluated."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.errors import InputError
from podfence.reachability import Cluster, Inventory, PolicySet, load_cluster, read_objects
from podfence.reachability.cluster import is_policy
from podfence.reachability.loader import Document
from reachability.helpers import FIXTURES, cluster_policy, namespace, node, pod, policy

NOT_V1 = "podfence evaluates networking.k8s.io/v1 NetworkPolicies only, not this API's semantics"


def other_api(api_version: str, kind: str, key: str | None, origin: str = "") -> dict[str, Any]:
    """A network policy of another API group or kind, ``namespace/name`` or cluster-wide."""
    metadata: dict[str, Any] = {}
    if key is not None:
        ns, _, name = key.rpartition("/")
        metadata = {"name": name, **({"namespace": ns} if ns else {})}
    return Document({"apiVersion": api_version, "kind": kind, "metadata": metadata}, origin)


def test_objects_are_sorted_into_policies_and_inventory() -> None:
    cluster = load_cluster(read_objects([FIXTURES / "guestbook"]))
    assert isinstance(cluster, Cluster)
    assert isinstance(cluster.policies, PolicySet) and isinstance(cluster.inventory, Inventory)
    assert [str(p) for p in cluster.policies] == [
        "guestbook/deny-all",
        "guestbook/allow-ui-to-api",
        "guestbook/allow-api-to-db",
        "guestbook/egress-tiers",
        "guestbook/allow-web",
    ]
    assert len(cluster.inventory.pods) == 6
    assert sorted(cluster.inventory.namespaces) == ["guestbook", "kube-system", "monitoring"]
    assert cluster.warnings == ()


def test_objects_without_an_api_version_are_read_as_the_core_and_v1_kinds() -> None:
    bare_policy = policy("a/p", {"podSelector": {}})
    del bare_policy["apiVersion"]
    bare_pod = pod("a/x")
    del bare_pod["apiVersion"]
    cluster = load_cluster([bare_policy, bare_pod])
    assert [str(p) for p in cluster.policies] == ["a/p"]
    assert [p.key for p in cluster.inventory.pods] == ["a/x"]
    assert cluster.warnings == ()


def test_network_policies_of_other_api_groups_and_kinds_are_named_in_warnings() -> None:
    removed = policy("a/old", {"podSelector": {}})
    removed["apiVersion"] = "extensions/v1beta1"
    objects = [
        pod("a/x", "10.0.0.1"),
        removed,
        other_api("crd.projectcalico.org/v1", "NetworkPolicy", "a/deny"),
        other_api("cilium.io/v2", "CiliumNetworkPolicy", "a/l7", origin="cilium.yaml"),
        other_api("crd.projectcalico.org/v1", "GlobalNetworkPolicy", "default-deny"),
        other_api("policy.networking.k8s.io/v1alpha2", "AdminNetworkPolicy", None),
    ]
    cluster = load_cluster(objects)
    assert list(cluster.policies) == [], "none of them is evaluated"
    assert cluster.warnings == (
        "extensions/v1beta1 NetworkPolicy a/old is not evaluated: that API was removed in "
        "Kubernetes 1.16; write it as networking.k8s.io/v1",
        f"crd.projectcalico.org/v1 NetworkPolicy a/deny is not evaluated: {NOT_V1}",
        f"cilium.yaml: cilium.io/v2 CiliumNetworkPolicy a/l7 is not evaluated: {NOT_V1}",
        f"crd.projectcalico.org/v1 GlobalNetworkPolicy default-deny is not evaluated: {NOT_V1}",
        "policy.networking.k8s.io/v1alpha2 AdminNetworkPolicy (unnamed) is not evaluated: "
        "podfence evaluates AdminNetworkPolicy as policy.networking.k8s.io/v1alpha1 only",
    )


READS = (
    "podfence reads NetworkPolicy (networking.k8s.io/v1), AdminNetworkPolicy and "
    "BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), ClusterNetworkPolicy "
    "(policy.networking.k8s.io/v1alpha2 and v1beta1), Namespace, Pod and Node (v1) objects only"
)


def test_every_other_kind_and_api_version_is_left_out_with_a_warning_naming_it() -> None:
    objects = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "a"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
        {"apiVersion": "apps/v1", "kind": "Pod", "metadata": {"name": "not-core"}},
        Document(
            {
                "apiVersion": "networking.k8s.io/v1beta1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "p", "namespace": "a"},
            },
            "policies.yaml",
        ),
        Document(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolcy",
                "metadata": {"name": "typo", "namespace": "a"},
            },
            "policies.yaml",
        ),
        Document({"metadata": {"name": "kindless"}}, "policies.yaml", "document 3"),
        Document({"kind": 7}, "policies.yaml", "document 4 items[0]"),
        namespace("a", team="blue"),
    ]
    cluster = load_cluster(objects)
    assert cluster.warnings == (
        f"v1 Service a/s is not evaluated: {READS}",
        f"apps/v1 Deployment d is not evaluated: {READS}",
        "apps/v1 Pod not-core is not evaluated: the API server serves Pod as apiVersion v1 only; "
        "write it so",
        "policies.yaml: networking.k8s.io/v1beta1 NetworkPolicy a/p is not evaluated: the API "
        "server serves NetworkPolicy as networking.k8s.io/v1 only; write it so",
        "policies.yaml: networking.k8s.io/v1 NetworkPolcy a/typo is not evaluated: "
        f"{READS}; did you mean NetworkPolicy?",
        f"policies.yaml (document 3): an object with no kind (kindless) is not evaluated: {READS}",
        f"policies.yaml (document 4 items[0]): an object with kind 7 ((unnamed)) is not "
        f"evaluated: {READS}",
    )
    assert cluster.inventory.pods == ()
    assert list(cluster.policies) == []
    assert list(cluster.inventory.namespaces) == ["a"]


def test_past_five_objects_of_one_kind_a_warning_counts_the_rest() -> None:
    services = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"s{n}", "namespace": "a"}}
        for n in range(8)
    ]
    warnings = load_cluster([*services, {"kind": None}, {}]).warnings
    assert warnings[:5] == tuple(f"v1 Service a/s{n} is not evaluated: {READS}" for n in range(5))
    assert warnings[5:] == (
        "3 more v1 Service objects are not evaluated",
        f"an object with no kind ((unnamed)) is not evaluated: {READS}",
        f"an object with no kind ((unnamed)) is not evaluated: {READS}",
    )


def test_an_object_listed_twice_names_both_files() -> None:
    first = Document(pod("a/x"), "one.yaml")
    second = Document(pod("a/x"), "two.yaml")
    with pytest.raises(InputError) as caught:
        load_cluster([first, second])
    assert str(caught.value) == "Pod a/x appears twice (in one.yaml and two.yaml)"
    with pytest.raises(InputError, match=r"^NetworkPolicy a/p appears twice"):
        load_cluster([policy("a/p", {}), policy("a/p", {})])


def test_an_object_that_is_not_a_map_is_rejected() -> None:
    with pytest.raises(
        InputError, match=r"^expected a Kubernetes object \(a map\), got \['Pod'\]$"
    ):
        load_cluster([["Pod"]])  # type: ignore[list-item]


def test_cluster_wide_policies_and_nodes_are_read_and_their_assumptions_warned() -> None:
    deny = {"action": "Deny", "to": [{"domainNames": ["example.com"]}]}
    objects = [
        cluster_policy("AdminNetworkPolicy", "b", {"priority": 3, "subject": {"namespaces": {}}}),
        cluster_policy(
            "AdminNetworkPolicy",
            "a",
            {"priority": 3, "subject": {"namespaces": {}}, "egress": [deny]},
        ),
        cluster_policy("BaselineAdminNetworkPolicy", "default", {"subject": {"namespaces": {}}}),
        cluster_policy(
            "ClusterNetworkPolicy",
            "c",
            {"tier": "Baseline", "priority": 0, "subject": {"namespaces": {}}},
        ),
        node("kind-worker", {}, ["172.18.0.3"]),
    ]
    cluster = load_cluster(objects)
    assert list(cluster.policies) == [], "no NetworkPolicy"
    assert [str(p) for p in cluster.policies.admin] == [
        "AdminNetworkPolicy a",
        "AdminNetworkPolicy b",
    ]
    assert [str(p) for p in cluster.policies.baseline] == [
        "ClusterNetworkPolicy c",
        "BaselineAdminNetworkPolicy default",
    ]
    assert list(cluster.inventory.nodes) == ["kind-worker"]
    assert [line.split(":")[0] for line in cluster.warnings] == [
        "AdminNetworkPolicy a, AdminNetworkPolicy b (Admin tier) share priority 3",
        "BaselineAdminNetworkPolicy default and Baseline-tier ClusterNetworkPolicy objects are "
        "both present",
        "AdminNetworkPolicy a",
    ]
    assert cluster.warnings[-1].endswith(
        "spec.egress[0].to[0].domainNames: domain names are not resolved offline; podfence "
        "takes this peer to match no address"
    )


@pytest.mark.parametrize(
    ("obj", "key"),
    [
        (
            cluster_policy(
                "AdminNetworkPolicy", "a", {"priority": 1, "subject": {"namespaces": {}}}
            ),
            "AdminNetworkPolicy a",
        ),
        (node("n", {}, []), "Node n"),
    ],
)
def test_a_cluster_wide_policy_or_node_given_twice_is_an_error(
    obj: dict[str, Any], key: str
) -> None:
    with pytest.raises(InputError, match=rf"^{key} appears twice"):
        load_cluster([obj, obj])


def test_a_cluster_wide_kind_of_another_version_is_named_in_a_warning() -> None:
    banp = other_api("policy.networking.k8s.io/v1alpha2", "BaselineAdminNetworkPolicy", "default")
    assert load_cluster([banp]).warnings == (
        "policy.networking.k8s.io/v1alpha2 BaselineAdminNetworkPolicy default is not evaluated: "
        "podfence evaluates BaselineAdminNetworkPolicy as policy.networking.k8s.io/v1alpha1 only",
    )


def test_a_cluster_network_policy_of_an_unread_version_names_both_read_versions() -> None:
    cnp = other_api("policy.networking.k8s.io/v1alpha1", "ClusterNetworkPolicy", "c")
    assert load_cluster([cnp]).warnings == (
        "policy.networking.k8s.io/v1alpha1 ClusterNetworkPolicy c is not evaluated: podfence "
        "evaluates ClusterNetworkPolicy as policy.networking.k8s.io/v1alpha2 and v1beta1 only",
    )


@pytest.mark.parametrize("version", ["v1alpha2", "v1beta1"])
def test_a_cluster_network_policy_is_evaluated_in_v1alpha2_and_v1beta1(version: str) -> None:
    cnp = {
        "apiVersion": f"policy.networking.k8s.io/{version}",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": "c"},
        "spec": {"tier": "Baseline", "priority": 3, "subject": {"namespaces": {}}},
    }
    cluster = load_cluster([cnp])
    assert cluster.warnings == ()
    assert [(p.name, p.tier) for p in cluster.policies.cluster_policies] == [("c", "Baseline")]


def test_a_kind_that_is_not_a_string_is_left_out_with_a_warning_not_a_crash() -> None:
    odd = {"apiVersion": "networking.k8s.io/v1", "kind": ["NetworkPolicy"], "metadata": {}}
    cluster = load_cluster([odd])
    assert not list(cluster.policies)
    assert len(cluster.warnings) == 1


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy"}, True),
        ({"apiVersion": "networking.k8s.io/v1beta1", "kind": "NetworkPolicy"}, True),
        ({"kind": "AdminNetworkPolicy"}, True),
        ({"kind": "BaselineAdminNetworkPolicy"}, True),
        ({"kind": "ClusterNetworkPolicy"}, True),
        ({"kind": "Pod"}, False),
        ({"kind": "NetworkPolcy"}, False),
        ({"kind": ["NetworkPolicy"]}, False),
        ({"kind": {"NetworkPolicy": 1}}, False),
        ({}, False),
    ],
)
def test_a_policy_is_of_a_policy_kind_in_any_version_and_a_kind_that_is_no_string_is_none(
    obj: dict[str, Any], expected: bool
) -> None:
    assert is_policy(obj) is expected
