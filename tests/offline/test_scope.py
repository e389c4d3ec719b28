"""The ID pulumi-kubernetes gives an object: the name when cluster-scoped, else namespace/name."""

from __future__ import annotations

from typing import Any

import pytest
from podfence.manifests import cluster_baseline_policy
from podfence.offline.scope import CLUSTER_SCOPED, api_group, is_cluster_scoped, object_id
from podfence.reachability.admin_loader import API_VERSIONS
from podfence.spec import ClusterBaselineSpec


def _obj(api_version: str, kind: str, **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def test_the_group_of_an_api_version_is_before_the_slash_and_the_core_group_is_empty() -> None:
    assert api_group("policy.networking.k8s.io/v1alpha1") == "policy.networking.k8s.io"
    assert api_group("v1") == ""


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            _obj("networking.k8s.io/v1", "NetworkPolicy", name="deny-all", namespace="a"),
            "a/deny-all",
        ),
        (_obj("v1", "Namespace", name="guestbook"), "guestbook"),
        (_obj("v1", "Namespace", name="guestbook", namespace="ignored"), "guestbook"),
        (_obj("rbac.authorization.k8s.io/v1", "ClusterRole", name="reader"), "reader"),
        (_obj("example.com/v1", "Widget", name="w", namespace="team"), "team/w"),
        (_obj("example.com/v1", "Widget", name="w"), None),
        (_obj("v1", "ConfigMap", name="c"), None),
        (_obj("v1", "Namespace"), None),
        ({"apiVersion": "v1", "kind": "Namespace"}, None),
    ],
)
def test_an_objects_id_is_its_name_when_cluster_scoped_else_namespace_slash_name(
    obj: dict[str, Any], expected: str | None
) -> None:
    assert object_id(obj) == expected


def test_the_cluster_wide_policies_are_cluster_scoped_in_every_version_the_engine_reads() -> None:
    for kind, api_versions in API_VERSIONS.items():
        for api_version in api_versions:
            assert is_cluster_scoped(api_version, kind), (kind, api_version)
    for api in ("v1alpha1", "v1alpha2", "v1beta1"):
        made = cluster_baseline_policy(ClusterBaselineSpec.parse({"api": api}))
        assert object_id(made) == made["metadata"]["name"]


def test_a_kind_is_cluster_scoped_only_in_its_own_group() -> None:
    assert is_cluster_scoped("v1", "Node")
    assert not is_cluster_scoped("example.com/v1", "Node")
    assert not is_cluster_scoped("networking.k8s.io/v1", "NetworkPolicy")
    assert all(kind[0].isupper() and "/" not in group for group, kind in CLUSTER_SCOPED)
