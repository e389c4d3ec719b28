"""podfence.testing: programs and components under mocks, flows asserted with the engine's why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from guestbook import GUESTBOOK
from paths import REPO
from podfence.components import ClusterBaseline, Firewall
from podfence.errors import ConfigError
from podfence.offline.stack import load_stack_inputs
from podfence.testing import (
    assert_allowed,
    assert_denied,
    assert_matrix,
    capture,
    load_expectations,
    policy_inventory,
    run_program,
)
from reachability.helpers import namespace, pod

pytest_plugins = ["pytester"]

UI, API, DB = "guestbook/guestbook-ui", "guestbook/guestbook-api", "guestbook/guestbook-db"
EGRESS_DENIED: dict[str, Any] = {**GUESTBOOK, "defaultDeny": {"egress": True}}


def _ports(policies: list[dict[str, Any]]) -> list[Any]:
    return [
        port["port"]
        for policy in policies
        for direction in ("ingress", "egress")
        for rule in policy["spec"].get(direction, [])
        for port in rule.get("ports", [])
    ]


@pytest.fixture(scope="module")
def dev() -> list[dict[str, Any]]:
    return run_program(REPO, "dev").policies


def test_run_program_returns_the_six_policies_of_the_dev_stack_with_integer_ports() -> None:
    program = run_program(REPO, "dev")
    assert program.stack == "dev"
    assert len(program.policies) == 6
    assert all(p["kind"] == "NetworkPolicy" for p in program.policies)
    ports = _ports(program.policies)
    assert ports and all(type(port) is int for port in ports), ports
    assert any(not r.custom for r in program.resources), "the components are recorded too"


def test_run_program_defaults_to_the_first_stack_with_a_stack_file() -> None:
    assert run_program(REPO).stack == "dev"


def test_run_program_config_overrides_the_stack_file_and_may_omit_the_project_prefix() -> None:
    program = run_program(REPO, "dev", config={"firewall": EGRESS_DENIED})
    names = [p["metadata"]["name"] for p in program.policies]
    assert "allow-dns-egress" in names and "allow-ingress-controller" not in names, names
    (deny,) = [p for p in program.policies if p["metadata"]["name"] == "deny-all"]
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_a_program_that_fails_raises_its_one_line(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\nraise pulumi.RunError('no firewall')\n")
    with pytest.raises(ConfigError, match="no firewall"):
        run_program(tmp_path)


def test_capture_records_the_policies_of_a_firewall_built_in_the_block() -> None:
    with capture() as captured:
        Firewall("shop", GUESTBOOK)
        assert captured.policies == [], "filled in when the block ends"
    names = [p["metadata"]["name"] for p in captured.policies]
    assert names == ["allow-api-to-db", "allow-ui-to-api", "deny-all"]
    assert all(type(port) is int for port in _ports(captured.policies))
    assert pulumi.runtime.settings.SETTINGS.monitor is None, "the mocks are gone afterwards"


def test_capture_passes_on_what_the_block_raises_and_still_resets_pulumi() -> None:
    with pytest.raises(RuntimeError, match="boom"), capture():
        Firewall("shop", GUESTBOOK)
        raise RuntimeError("boom")
    with capture() as captured:
        Firewall("again", GUESTBOOK)
    assert {r.name for r in captured.resources if r.name.startswith("shop")} == set()


def test_capture_takes_the_cluster_wide_policies_too_first_and_as_the_wire_sends_them() -> None:
    with capture() as captured:
        Firewall("shop", GUESTBOOK)
        ClusterBaseline("platform", {"egress": True})
        ClusterBaseline("late", {"api": "v1alpha2"})
    kinds = [(p["kind"], p["metadata"]["name"]) for p in captured.policies]
    assert kinds[:2] == [
        ("BaselineAdminNetworkPolicy", "default"),
        ("ClusterNetworkPolicy", "podfence-baseline"),
    ]
    assert {kind for kind, _ in kinds[2:]} == {"NetworkPolicy"}
    baseline = captured.policies[0]
    assert set(baseline) == {"apiVersion", "kind", "metadata", "spec"}
    assert baseline["apiVersion"] == "policy.networking.k8s.io/v1alpha1"
    assert baseline["spec"]["egress"][0]["ports"][0] == {
        "portNumber": {"protocol": "UDP", "port": 53}
    }, "integers stay integers"


def test_run_program_takes_the_cluster_wide_policies_a_program_registers(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: platform\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "from podfence.components import ClusterBaseline\n"
        'ClusterBaseline("platform", {"excludeNamespaces": ["kube-system"]})\n'
    )
    policies = run_program(tmp_path).policies
    assert [p["kind"] for p in policies] == ["BaselineAdminNetworkPolicy"]
    inventory = [
        namespace("team-a"),
        namespace("kube-system"),
        pod("team-a/web", "10.0.0.1", [{"containerPort": 8080}], app="web"),
        pod("team-a/db", "10.0.0.2", [{"containerPort": 5432}], app="db"),
        pod("kube-system/dns", "10.0.9.1", [{"containerPort": 53, "protocol": "UDP"}]),
    ]
    assert_denied(policies, "team-a/web", "team-a/db", 5432, inventory=inventory)
    assert_allowed(policies, "team-a/web", "kube-system/dns", 53, "UDP", inventory=inventory)


def test_the_baseline_deny_shows_on_the_derived_inventory_with_the_rule_that_decides() -> None:
    with capture() as captured:
        Firewall("shop", GUESTBOOK)
        ClusterBaseline("platform", {})
    pods = [
        f"{o['metadata']['namespace']}/{o['metadata']['name']}"
        for o in policy_inventory(captured.policies)
        if o["kind"] == "Pod"
    ]
    assert sorted(pods[:-1]) == [API, DB, UI, "guestbook/pod"], "the firewall's pods first"
    assert pods[-1] == "any-namespace/pod", "every namespace the baseline applies to"
    assert_allowed(captured.policies, UI, API, 8080)
    with pytest.raises(AssertionError) as raised:
        assert_allowed(captured.policies, UI, "any-namespace/pod", 80)
    assert (
        "  ingress at any-namespace/pod: denied by BaselineAdminNetworkPolicy default (Baseline "
        'tier), ingress rule 0 "deny-ingress-from-pods": from all pods in all namespaces on any '
        "port (no NetworkPolicy selects any-namespace/pod for ingress)"
    ) in str(raised.value).splitlines()
    network_policies = [p for p in captured.policies if p["kind"] == "NetworkPolicy"]
    assert_allowed(network_policies, UI, "any-namespace/pod", 80, inventory=policy_inventory(
        captured.policies
    ))  # fmt: skip


def test_named_ports_of_cluster_wide_policies_resolve_on_the_derived_pods() -> None:
    admin = {
        "apiVersion": "policy.networking.k8s.io/v1alpha1",
        "kind": "AdminNetworkPolicy",
        "metadata": {"name": "metrics"},
        "spec": {
            "priority": 10,
            "subject": {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "web"}}}},
            "ingress": [
                {"action": "Allow", "from": [{"namespaces": {"matchLabels": {"team": "monitoring"}}}],
                 "ports": [{"namedPort": "metrics"}]},
                {"action": "Deny", "from": [{"namespaces": {}}]},
            ],
        },
    }  # fmt: skip
    assert_allowed([admin], "monitoring/pod", "any-namespace/web", "metrics")
    assert_denied([admin], "monitoring/pod", "any-namespace/web", 80)


def test_the_ui_reaches_the_api_and_not_the_db(dev: list[dict[str, Any]]) -> None:
    assert_allowed(dev, UI, API, 8080)
    assert_denied(dev, UI, DB, 6379)
    assert_allowed(dev, "10.72.1.5", UI, 80)
    assert_denied(dev, "10.72.10.5", UI, 80)


def test_a_wrong_assert_allowed_fails_with_podfence_s_explanation(
    dev: list[dict[str, Any]],
) -> None:
    with pytest.raises(AssertionError) as failure:
        assert_allowed(dev, UI, DB, 6379)
    message = str(failure.value)
    assert message.startswith(f"expected {UI} -> {DB} on 6379/TCP to be allowed:")
    assert f"ingress at {DB}: denied" in message
    assert "guestbook/allow-api-to-db ingress rule 0" in message


def test_a_wrong_assert_denied_names_the_rule_that_allows_the_flow(
    dev: list[dict[str, Any]],
) -> None:
    with pytest.raises(AssertionError, match="allowed by:\n    - guestbook/allow-ui-to-api"):
        assert_denied(dev, UI, API, 8080)


def test_an_unknown_pod_fails_listing_the_pods_of_the_inventory(
    dev: list[dict[str, Any]],
) -> None:
    with pytest.raises(AssertionError) as failure:
        assert_allowed(dev, "guestbook/ui", API, 8080)
    assert "no pod 'guestbook/ui'" in str(failure.value)
    assert f"pods in the inventory: {API}, {DB}, {UI}, guestbook/pod" in str(failure.value)


def test_egress_to_an_outside_address_is_denied_when_egress_is_denied() -> None:
    with capture() as captured:
        Firewall("shop", EGRESS_DENIED)
    assert_denied(captured.policies, API, "8.8.8.8", 443)
    with pytest.raises(AssertionError, match=f"egress at {API}: denied"):
        assert_allowed(captured.policies, API, "8.8.8.8", 443)


def test_the_derived_inventory_names_pods_after_their_first_label_and_namespaces_by_selector(
    dev: list[dict[str, Any]],
) -> None:
    objects = policy_inventory(dev)
    pods = sorted(f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in objects[3:])
    assert pods == [API, DB, UI, "guestbook/pod", "ingress-nginx/pod", "monitoring/pod"]
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in objects[:3]}
    assert namespaces["monitoring"] == {
        "team": "monitoring",
        "kubernetes.io/metadata.name": "monitoring",
    }
    assert_allowed(dev, "monitoring/pod", DB, 6379)
    assert_allowed(dev, "ingress-nginx/pod", UI, 80)
    assert_denied(dev, "ingress-nginx/pod", API, 8080)


def test_a_named_port_resolves_on_the_derived_pods() -> None:
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"namespace": "shop", "name": "web"},
        "spec": {
            "podSelector": {
                "matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]
            },
            "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": "http"}]}],
        },
    }
    assert_allowed([policy], "shop/pod", "shop/web", "http")
    assert_denied([policy], "shop/pod", "shop/web", 80)


def test_assert_matrix_checks_the_stack_s_expectations_on_the_stack_s_inventory() -> None:
    inputs = load_stack_inputs("dev", REPO)
    inventory = [o for o in inputs.objects if o["kind"] in ("Namespace", "Pod")]
    expect = REPO / "stacks" / "dev.expect.yaml"
    assert_matrix(run_program(REPO, "dev").policies, expect, inventory)
    assert load_expectations(expect).allow


def test_assert_matrix_takes_a_mapping_on_the_derived_inventory(
    dev: list[dict[str, Any]],
) -> None:
    assert_matrix(
        dev,
        {
            "allow": [{"from": UI, "to": API, "port": 8080}],
            "deny": [{"from": UI, "to": DB, "port": 6379}],
        },
    )


def test_assert_matrix_lists_every_failed_expectation_with_its_explanation(
    dev: list[dict[str, Any]],
) -> None:
    with pytest.raises(AssertionError) as failure:
        assert_matrix(
            dev,
            {
                "allow": [
                    {"from": UI, "to": API, "port": 8080},
                    {"from": UI, "to": DB, "port": 6379, "why": "wrong on purpose"},
                ],
                "deny": [{"from": DB, "to": "8.8.8.8", "port": 443}],
            },
        )
    message = str(failure.value)
    assert message.startswith("2 of 3 expectations failed:")
    assert f"allow[1] {UI} -> {DB} 6379/TCP: expected allow, denied" in message
    assert "expected because: wrong on purpose" in message
    assert f"ingress at {DB}: denied" in message
    assert f"deny[0] {DB} -> 8.8.8.8 443/TCP: expected deny, allowed" in message


def test_assert_matrix_refuses_an_invalid_expectation(dev: list[dict[str, Any]]) -> None:
    with pytest.raises(ConfigError, match=r"allow\[0\]"):
        assert_matrix(dev, {"allow": [{"from": UI, "to": API}]})


def test_the_pulumi_mocks_fixture_resets_pulumi_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio

        import pulumi
        from podfence.offline.recorder import _Recorder


        def test_sets_mocks_and_config(pulumi_mocks):
            assert asyncio.get_event_loop() is pulumi_mocks
            pulumi.runtime.set_mocks(_Recorder(), project="leaky", stack="s", preview=False)
            pulumi.runtime.set_all_config({"leaky:x": "1"})
            assert pulumi.get_project() == "leaky"


        def test_sees_none_of_it(pulumi_mocks):
            assert pulumi.runtime.settings.SETTINGS.monitor is None
            assert pulumi.Config("leaky").get("x") is None
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
