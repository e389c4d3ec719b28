"""A stack's resources as plain Kubernetes objects: proxies unwrapped, what the provider fills in."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s
import pytest
from podfence.components import ClusterBaseline
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.objects import denying, kubernetes_object, plain, stack_objects
from podfence.reachability.policy import parse_policy
from podfence.reachability.verdict import (
    NOT_ISOLATED,
    ClusterPolicyRef,
    DirectionVerdict,
    PolicyRef,
    TierRuleRef,
)
from policy_pack.harness import (
    cluster_policy,
    deployment,
    network_policy,
    program,
    resource_args,
    stack_args,
    wire,
)
from pulumi_policy import PolicyProviderResource, ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError


def test_plain_unwraps_the_analyzers_proxies_and_makes_whole_numbers_integers() -> None:
    props = wire({"spec": {"ports": [{"port": 8080, "protocol": "TCP"}], "ratio": 0.5, "on": True}})
    assert plain(props) == {
        "spec": {"ports": [{"port": 8080, "protocol": "TCP"}], "ratio": 0.5, "on": True}
    }
    assert type(plain(props)["spec"]["ports"][0]["port"]) is int


def test_a_value_unknown_during_preview_raises_the_analyzers_unknown_value_error() -> None:
    props = wire({"metadata": {"namespace": UNKNOWN_STRING_VALUE, "name": "deny-all"}})
    with pytest.raises(UnknownValueError) as raised:
        plain(props)
    assert (
        raised.value.message == "string value at .metadata.namespace can't be known during preview"
    )


def _args(props: dict[str, Any], provider_namespace: str | None = None) -> ResourceValidationArgs:
    resource = RecordedResource(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny", "urn:deny", props, True
    )
    args = resource_args(resource)
    if provider_namespace is not None:
        args.provider = PolicyProviderResource(
            "pulumi:providers:kubernetes", wire({"namespace": provider_namespace}), "urn:k8s", "k8s"
        )
    return args


def test_an_object_gets_its_kind_its_pulumi_name_and_its_providers_namespace_when_absent() -> None:
    obj = kubernetes_object(_args({"spec": {"podSelector": {}}}, provider_namespace="shop"))
    assert obj == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "deny", "namespace": "shop"},
        "spec": {"podSelector": {}},
    }
    own = kubernetes_object(_args({"metadata": {"name": "x", "namespace": "web"}}, "shop"))
    assert own["metadata"] == {"name": "x", "namespace": "web"}
    assert kubernetes_object(_args({}))["metadata"] == {"name": "deny"}  # default namespace


def test_stack_objects_sorts_policies_namespaces_and_every_kind_of_workload() -> None:
    template = {"metadata": {"labels": {"app": "batch"}}, "spec": {"containers": [{"name": "c"}]}}

    def build() -> None:
        k8s.core.v1.Namespace("shop", metadata={"name": "shop", "labels": {"team": "a"}})
        k8s.core.v1.Namespace.get("shop-read", "shop")  # a read: nothing known under mocks
        deployment("shop", "web", {"app": "web"}, [{"containerPort": 80, "name": "http"}])
        k8s.batch.v1.CronJob(
            "nightly",
            metadata={"name": "nightly", "namespace": "shop"},
            spec={"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}},
        )
        k8s.core.v1.Pod(
            "debug",
            metadata={"name": "web", "namespace": "shop"},
            spec={"containers": [{"name": "c"}]},
        )
        network_policy("shop", "deny-all", {"podSelector": {}})

    objects = stack_objects(stack_args(program(build)).resources)
    assert [obj["metadata"]["name"] for obj in objects.manifests()] == ["deny-all"]
    assert objects.namespaces == [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"team": "a"}},
        }
    ]
    assert [w.describe() for w in objects.workloads] == [
        "Deployment shop/web",
        "CronJob shop/nightly",
        "Pod shop/web",
    ]
    pods = {p["metadata"]["name"]: p for p in objects.pods()}
    assert sorted(pods) == ["nightly", "web", "web-2"]  # a name taken twice gets -2
    assert pods["nightly"]["metadata"]["labels"] == {"app": "batch"}
    assert pods["web"]["spec"]["containers"] == [
        {"name": "web", "ports": [{"containerPort": 80, "name": "http"}]}
    ]


def test_compiled_names_each_policy_the_api_server_would_refuse_and_keeps_the_others() -> None:
    def build() -> None:
        network_policy("shop", "deny-all", {"podSelector": {}})
        network_policy("shop", "bad", {"podSelector": {}, "ingress": [{"from": [{}]}]})

    resources = program(build)
    compiled = stack_objects(stack_args(resources).resources).compiled()
    assert [str(p) for p in compiled.policies] == ["shop/deny-all"]
    assert compiled.refused == [
        "shop-bad: NetworkPolicy shop/bad: spec.ingress[0].from[0]: a peer needs podSelector, "
        "namespaceSelector or ipBlock"
    ]
    [ref] = compiled.urns
    assert compiled.urns[ref].endswith("::shop-deny-all")
    assert compiled.objects[ref]["metadata"]["name"] == "deny-all"


def test_cluster_wide_policies_are_read_compiled_and_named_by_kind_and_tier() -> None:
    def build() -> None:
        ClusterBaseline("baseline", {"egress": True})
        cluster_policy(
            "AdminNetworkPolicy", "bad", {"priority": 5000, "subject": {"namespaces": {}}}
        )

    resources = program(build)
    objects = stack_objects(stack_args(resources).resources)
    [(_, obj)] = [pair for pair in objects.cluster_policies if pair[0].name == "baseline-default"]
    assert (obj["apiVersion"], obj["kind"], "namespace" in obj["metadata"]) == (
        "policy.networking.k8s.io/v1alpha1",
        "BaselineAdminNetworkPolicy",
        False,
    )
    assert objects.cluster_manifests() == [o for _, o in objects.cluster_policies]
    compiled = objects.compiled()
    assert [str(p) for p in compiled.policies.cluster_policies] == [
        "BaselineAdminNetworkPolicy default"
    ]
    ref = ClusterPolicyRef("BaselineAdminNetworkPolicy", "default", "Baseline", None)
    assert compiled.urns[ref].endswith("::baseline-default")
    assert compiled.objects[ref] is obj
    [refused] = compiled.refused
    assert refused.startswith("AdminNetworkPolicy-bad: AdminNetworkPolicy bad: spec.priority")


def test_denying_names_what_denies_a_side_and_urn_takes_the_first_compiled_one() -> None:
    deny_all = parse_policy({"metadata": {"name": "deny-all", "namespace": "shop"}, "spec": {}})
    admin = TierRuleRef(
        ClusterPolicyRef("AdminNetworkPolicy", "lock", "Admin", 10), "ingress", 0, "", "Deny"
    )
    baseline = TierRuleRef(
        ClusterPolicyRef("BaselineAdminNetworkPolicy", "default", "Baseline", None),
        "ingress",
        0,
        "",
        "Deny",
    )
    assert denying(DirectionVerdict(True, (deny_all,))) == [PolicyRef("shop", "deny-all")]
    assert denying(DirectionVerdict(False, decided_by=admin)) == [admin.policy_ref]
    allowed_by_baseline = TierRuleRef(
        ClusterPolicyRef("BaselineAdminNetworkPolicy", "default", "Baseline", None),
        "ingress",
        0,
        "",
        "Allow",
    )
    assert denying(DirectionVerdict(False, decided_by=allowed_by_baseline)) == []
    assert denying(DirectionVerdict(False, decided_by=baseline)) == [baseline.policy_ref]
    assert denying(NOT_ISOLATED) == []
    assert denying(None) == []

    def build() -> None:
        network_policy("shop", "deny-all", {"podSelector": {}})

    compiled = stack_objects(stack_args(program(build)).resources).compiled()
    urn = compiled.urn([admin.policy_ref, PolicyRef("shop", "deny-all")])
    assert urn is not None and urn.endswith("::shop-deny-all")
    assert compiled.urn([admin.policy_ref]) is None


def test_a_cluster_wide_policy_is_not_put_in_the_providers_namespace() -> None:
    resource = RecordedResource(
        "kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy",
        "cnp",
        "urn:cnp",
        {"spec": {}},
        True,
    )
    args = resource_args(resource)
    args.provider = PolicyProviderResource(
        "pulumi:providers:kubernetes", wire({"namespace": "shop"}), "urn:k8s", "k8s"
    )
    assert kubernetes_object(args) == {
        "apiVersion": "policy.networking.k8s.io/v1alpha2",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": "cnp"},
        "spec": {},
    }
