"""ClusterBaseline under Pulumi mocks: the custom resource it registers, and what the engine makes
of it together with an application's NetworkPolicies."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from guestbook import GUESTBOOK
from podfence.components import ClusterBaseline, Firewall, TierFirewall
from podfence.errors import SpecError
from podfence.manifests import cluster_baseline_policy
from podfence.offline.recorder import RecordedResource, record
from podfence.reachability import evaluate, explain, load_cluster, traffic
from podfence.spec import ClusterBaselineSpec
from podfence.testing import assert_allowed, assert_denied, capture
from reachability.helpers import namespace, pod

BANP = "kubernetes:policy.networking.k8s.io/v1alpha1:BaselineAdminNetworkPolicy"
CNP = "kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy"


def custom(resources: list[RecordedResource]) -> list[RecordedResource]:
    return [r for r in resources if r.custom]


def test_it_registers_the_baseline_admin_network_policy_its_builder_makes() -> None:
    args = {"egress": True}
    resources = record(lambda: ClusterBaseline("platform", args), "p", "test")
    (parent,) = [r for r in resources if not r.custom]
    (child,) = custom(resources)
    assert parent.type == "podfence:index:ClusterBaseline" and parent.name == "platform"
    assert child.type == BANP, child.urn
    assert child.name == "platform-default"
    assert f"::podfence:index:ClusterBaseline${BANP}::platform-default" in child.urn
    assert child.inputs == cluster_baseline_policy(ClusterBaselineSpec.parse(args))


def test_v1alpha2_registers_a_cluster_network_policy_of_the_baseline_tier() -> None:
    resources = record(
        lambda: ClusterBaseline("platform", {"api": "v1alpha2", "name": "team-baseline"}),
        "p",
        "test",
    )
    (child,) = custom(resources)
    assert (child.type, child.name) == (CNP, "platform-team-baseline")
    assert child.inputs["spec"]["tier"] == "Baseline"


def test_the_policy_name_is_an_output() -> None:
    seen: list[str] = []

    def program() -> None:
        ClusterBaseline("platform", {}).policy_name.apply(seen.append)

    record(program, "p", "test")
    assert seen == ["default"]


def test_two_baseline_admin_network_policies_in_one_program_are_one_error_naming_both() -> None:
    registered: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(
            lambda: (ClusterBaseline("one", {}), ClusterBaseline("two", {"egress": True})),
            "p",
            "test",
            registered=registered,
        )
    assert str(raised.value) == (
        "BaselineAdminNetworkPolicy default is made twice in this program: by ClusterBaseline "
        "one and by ClusterBaseline two; Kubernetes keeps one object per namespace and name, so "
        "rename one of them"
    )
    assert not [u for u in registered if u.endswith("::two") or "::two-" in u]


def test_invalid_args_raise_one_line_and_register_nothing() -> None:
    created: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(lambda: ClusterBaseline("platform", {"priority": 5}), "p", "t", registered=created)
    assert str(raised.value).startswith("platform: priority: the BaselineAdminNetworkPolicy")
    assert created == []


def test_label_values_and_namespaces_may_be_other_resources_outputs() -> None:
    literal: dict[str, Any] = {
        "egress": True,
        "namespaceSelector": {"matchLabels": {"team": "shop"}},
        "excludeNamespaces": ["kube-system", "ingress-nginx"],
    }

    def deferred() -> ClusterBaseline:
        return ClusterBaseline(
            "platform",
            {
                **literal,
                "namespaceSelector": {"matchLabels": {"team": pulumi.Output.from_input("shop")}},
                "excludeNamespaces": ["kube-system", pulumi.Output.from_input("ingress-nginx")],
            },
        )

    def subject(resources: list[RecordedResource]) -> Any:
        (child,) = custom(resources)
        (excluded,) = child.inputs["spec"]["subject"]["namespaces"]["matchExpressions"]
        excluded["values"] = set(
            excluded["values"]
        )  # NotIn is a set; an output sorts by its placeholder
        return child.inputs

    expected = subject(record(lambda: ClusterBaseline("platform", literal), "p", "test"))
    assert subject(record(deferred, "p", "test")) == expected


def test_a_bad_value_behind_an_output_fails_once_it_resolves() -> None:
    def program() -> None:
        ClusterBaseline(
            "platform", {"excludeNamespaces": [pulumi.Output.from_input("Kube_System")]}
        )

    with pytest.raises(SpecError, match=r"^platform\.excludeNamespaces.*Kube_System"):
        record(program, "p", "test")


def test_the_policys_name_may_not_be_an_output() -> None:
    created: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(
            lambda: ClusterBaseline(
                "platform", {"api": "v1alpha2", "name": pulumi.Output.from_input("baseline")}
            ),
            "p",
            "test",
            registered=created,
        )
    assert str(raised.value) == (
        "platform.name: a pulumi Output is not accepted here: the policy's name is its identity "
        "and names the child resource; give it literally"
    )
    assert created == []


# -- the engine on what the program makes: the baseline, and a team's NetworkPolicies ----------

INVENTORY: list[dict[str, Any]] = [
    namespace("guestbook"),
    namespace("sandbox"),
    namespace("kube-system"),
    pod("guestbook/ui", "10.0.0.1", [{"containerPort": 80}], app="guestbook-ui", tier="frontend"),
    pod(
        "guestbook/api", "10.0.0.2", [{"containerPort": 8080}], app="guestbook-api", tier="backend"
    ),
    pod("guestbook/db", "10.0.0.3", [{"containerPort": 6379}], app="guestbook-db", tier="db"),
    pod("sandbox/scratch", "10.0.1.1", [{"containerPort": 8080}], app="scratch"),
    pod(
        "kube-system/coredns",
        "10.0.9.1",
        [{"containerPort": 53, "protocol": "UDP"}],
        **{"k8s-app": "kube-dns"},
    ),
]


@pytest.fixture(scope="module")
def program() -> Any:
    resources = record(
        lambda: (
            ClusterBaseline("platform", {"egress": True}),
            TierFirewall("guestbook", {**GUESTBOOK, "egress": True}),
        ),
        "p",
        "test",
    )
    return load_cluster([*(r.inputs for r in custom(resources)), *INVENTORY])


def allowed(cluster: Any, source: str, destination: str, port: int, protocol: str = "TCP") -> bool:
    flow = traffic(cluster.inventory, source, destination, port, protocol)
    return evaluate(cluster.policies, cluster.inventory, flow).allowed


def test_a_namespace_without_network_policies_is_denied_by_the_baseline(program: Any) -> None:
    assert not allowed(program, "guestbook/ui", "sandbox/scratch", 8080)
    assert not allowed(program, "sandbox/scratch", "guestbook/ui", 80)
    flow = traffic(program.inventory, "guestbook/ui", "sandbox/scratch", 8080)
    text = explain(evaluate(program.policies, program.inventory, flow))
    assert (
        "  ingress at sandbox/scratch: denied by BaselineAdminNetworkPolicy default (Baseline "
        'tier), ingress rule 0 "deny-ingress-from-pods": from all pods in all namespaces on any '
        "port (no NetworkPolicy selects sandbox/scratch for ingress)"
    ) in text.splitlines()


def test_a_teams_network_policies_override_the_baseline_for_the_pods_they_select(
    program: Any,
) -> None:
    assert allowed(program, "guestbook/ui", "guestbook/api", 8080), (
        "the guestbook's policies isolate ui's egress and api's ingress, so they alone decide"
    )
    assert not allowed(program, "guestbook/ui", "guestbook/db", 6379), "no flow ui -> db"
    flow = traffic(program.inventory, "guestbook/ui", "guestbook/api", 8080)
    verdict = evaluate(program.policies, program.inventory, flow)
    assert verdict.ingress is not None and verdict.ingress.tier == "NetworkPolicy"
    assert verdict.egress is not None and verdict.egress.tier == "NetworkPolicy"


def test_the_baselines_dns_rule_keeps_dns_open_where_no_network_policy_isolates_egress(
    program: Any,
) -> None:
    assert allowed(program, "sandbox/scratch", "kube-system/coredns", 53, "UDP")
    assert not allowed(program, "sandbox/scratch", "kube-system/coredns", 80)
    assert not allowed(program, "sandbox/scratch", "192.0.2.1", 443), "the outside is denied too"
    assert not allowed(program, "guestbook/ui", "kube-system/coredns", 53, "UDP"), (
        "ui's egress is isolated by the team's policies, which decide alone: a team that "
        "isolates egress keeps DNS open itself (DefaultDeny's allow-dns-egress)"
    )


# -- a platform team's baseline and an application team's Firewall, as podfence.testing sees them --


def test_podfence_testing_sees_the_baseline_deny_and_the_firewalls_flows() -> None:
    with capture() as captured:
        ClusterBaseline("platform", {})  # the platform team's: ingress denied by default
        Firewall("guestbook", GUESTBOOK)  # the guestbook team's own NetworkPolicies
    policies = captured.policies
    assert_denied(policies, "guestbook/ui", "sandbox/scratch", 8080, inventory=INVENTORY)
    assert_allowed(policies, "guestbook/ui", "guestbook/api", 8080, inventory=INVENTORY)
    assert_denied(policies, "guestbook/ui", "guestbook/db", 6379, inventory=INVENTORY)
    # Without the baseline, the namespace that has no NetworkPolicy is open.
    network_policies = [p for p in policies if p["kind"] == "NetworkPolicy"]
    assert_allowed(network_policies, "guestbook/ui", "sandbox/scratch", 8080, inventory=INVENTORY)


def test_what_the_baseline_depends_on_its_policy_waits_for() -> None:
    def program() -> None:
        import pulumi_kubernetes as k8s

        crds = k8s.core.v1.ConfigMap("crds", metadata={"name": "crds"})
        ClusterBaseline("baseline", {}, pulumi.ResourceOptions(depends_on=[crds]))

    resources = record(program, "p", "test")
    (crds,) = [r for r in resources if r.name == "crds"]
    (policy,) = [r for r in resources if r.type.endswith(":BaselineAdminNetworkPolicy")]
    assert crds.urn in policy.dependencies
