"""namespace_allow_policies: the blog's allow-monitoring-namespace, and one peer ANDing pods."""

from __future__ import annotations

from typing import Any

from k8s_schema import assert_valid_manifest
from podfence.manifests import namespace_allow_policies
from podfence.spec import NamespaceAllowSpec

MANAGED = {"app.kubernetes.io/managed-by": "podfence"}


def policies(**spec: Any) -> list[dict[str, Any]]:
    manifests = namespace_allow_policies(NamespaceAllowSpec.parse(spec))
    for manifest in manifests:
        assert_valid_manifest(manifest)
    return manifests


def test_the_blogs_allow_monitoring_namespace_admits_every_pod_of_the_team_namespaces() -> None:
    assert policies(
        name="allow-monitoring-namespace",
        namespaces=["guestbook"],
        fromNamespaceSelector={"matchLabels": {"team": "monitoring"}},
    ) == [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
                "name": "allow-monitoring-namespace",
                "namespace": "guestbook",
                "labels": MANAGED,
            },
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"namespaceSelector": {"matchLabels": {"team": "monitoring"}}}]}
                ],
            },
        }
    ]


def test_source_pods_are_anded_with_the_namespaces_in_one_peer() -> None:
    (policy,) = policies(
        name="allow-prometheus",
        namespaces=["guestbook"],
        fromNamespaceNames=["monitoring"],
        fromPodSelector={"matchLabels": {"app": "prometheus"}},
        podSelector={"matchLabels": {"tier": "backend"}},
        ports=["metrics"],
    )
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"tier": "backend"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                        },
                        "podSelector": {"matchLabels": {"app": "prometheus"}},
                    }
                ],
                "ports": [{"protocol": "TCP", "port": "metrics"}],
            }
        ],
    }


def test_several_source_names_become_one_in_expression() -> None:
    (policy,) = policies(
        name="allow-observability",
        namespaces=["guestbook"],
        fromNamespaceNames=["monitoring", "logging"],
    )
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/metadata.name",
                                "operator": "In",
                                "values": ["logging", "monitoring"],
                            }
                        ]
                    }
                }
            ]
        }
    ]


def test_an_empty_namespace_selector_admits_every_namespace_deliberately() -> None:
    (policy,) = policies(
        name="allow-all-namespaces", namespaces=["guestbook"], fromNamespaceSelector={}
    )
    assert policy["spec"]["ingress"] == [{"from": [{"namespaceSelector": {}}]}]


def test_one_copy_per_namespace() -> None:
    manifests = policies(
        name="allow-monitoring-namespace",
        namespaces=["guestbook", "data"],
        fromNamespaceNames=["monitoring"],
    )
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests] == [
        ("guestbook", "allow-monitoring-namespace"),
        ("data", "allow-monitoring-namespace"),
    ]
    assert manifests[0]["spec"] == manifests[1]["spec"]
