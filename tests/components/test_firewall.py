"""The Firewall component under mocks: one composition, rolled out allows first, names claimed once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi_kubernetes as k8s
import pytest
from guestbook import GUESTBOOK
from podfence.components import DefaultDeny, Firewall, TierFirewall
from podfence.config import FirewallConfig
from podfence.errors import ConfigError, SpecError
from podfence.manifests.wire import is_deny
from podfence.offline.project import find_project
from podfence.offline.recorder import RecordedResource, record, record_program

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
PROD: dict[str, Any] = {**GUESTBOOK, "defaultDeny": {"egress": True}}


def policies(resources: list[RecordedResource]) -> dict[str, RecordedResource]:
    return {
        f"{r.inputs['metadata']['namespace']}/{r.inputs['metadata']['name']}": r
        for r in resources
        if r.type == NETWORK_POLICY
    }


def _stack(repo: Path, stack: str) -> list[RecordedResource]:
    project = find_project(repo)
    return record_program(project.program, project.name, stack, project.pulumi_config(stack))


def test_every_deny_of_the_prod_stack_depends_on_every_allow_in_its_namespace(repo: Path) -> None:
    made = policies(_stack(repo, "prod"))
    denies = {key: r for key, r in made.items() if is_deny(r.inputs)}
    allows = {key: r for key, r in made.items() if not is_deny(r.inputs)}
    assert list(denies) == ["guestbook/deny-all"]
    assert len(allows) == 8
    for key, deny in denies.items():
        namespace = key.split("/")[0]
        for allow_key, allow in allows.items():
            if allow_key.startswith(f"{namespace}/"):
                assert allow.urn in deny.dependencies, f"{deny.urn} does not wait for {allow.urn}"
    for allow in allows.values():
        assert not set(allow.dependencies) & {d.urn for d in denies.values()}, (
            f"{allow.urn} waits for a deny"
        )


def test_every_policy_waits_for_its_namespace_which_is_read_unless_created(repo: Path) -> None:
    resources = _stack(repo, "dev")
    (namespace,) = [r for r in resources if r.type == NAMESPACE]
    assert namespace.name == "guestbook-guestbook"
    assert namespace.inputs == {}, "read with Namespace.get: a missing one fails the preview"
    for policy in policies(resources).values():
        assert namespace.urn in policy.dependencies, policy.urn
    created = record(lambda: Firewall("shop", {**GUESTBOOK, "createNamespaces": True}), "p", "test")
    (made,) = [r for r in created if r.type == NAMESPACE]
    assert made.inputs["metadata"]["name"] == "guestbook"


def test_the_program_is_one_firewall_and_makes_what_its_config_builds(repo: Path) -> None:
    project = find_project(repo)
    for stack in ("dev", "prod"):
        resources = _stack(repo, stack)
        components = [r for r in resources if r.type.startswith("podfence:")]
        assert [(c.type, c.name) for c in components] == [("podfence:index:Firewall", "guestbook")]
        config = FirewallConfig.parse(
            json.loads(project.pulumi_config(stack)["guestbook:firewall"])
        )
        expected = sorted(
            f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in config.manifests()
        )
        assert sorted(policies(resources)) == expected


def test_urns_and_names_stay_when_a_port_or_a_peer_changes() -> None:
    before = record(lambda: Firewall("guestbook", GUESTBOOK), "p", "test")
    changed = {
        **GUESTBOOK,
        "tiers": {
            **GUESTBOOK["tiers"],
            "api": {"podLabels": {"app": "guestbook-api", "tier": "backend"}, "ports": [8081]},
        },
        "flows": [{"from": "ui", "to": "api"}, {"from": "ui", "to": "db"}],
    }
    changed["flows"] = [{"from": "ui", "to": "api"}, {"from": "api", "to": "db"}]
    after = record(lambda: Firewall("guestbook", changed), "p", "test")
    assert {k: r.urn for k, r in policies(before).items()} == {
        k: r.urn for k, r in policies(after).items()
    }
    assert (
        policies(before)["guestbook/allow-ui-to-api"].inputs
        != policies(after)["guestbook/allow-ui-to-api"].inputs
    ), "the port changed in place, under the same URN"
    peer = {**GUESTBOOK, "tiers": {**GUESTBOOK["tiers"]}}
    peer["tiers"]["ui"] = {"podLabels": {"app": "guestbook-web", "tier": "frontend"}, "ports": [80]}
    renamed_peer = record(lambda: Firewall("guestbook", peer), "p", "test")
    assert {k: r.urn for k, r in policies(before).items()} == {
        k: r.urn for k, r in policies(renamed_peer).items()
    }


def test_a_policy_made_by_two_components_is_one_error_naming_both() -> None:
    registered: list[str] = []

    def program() -> None:
        TierFirewall("tiers", GUESTBOOK)
        Firewall("guestbook", GUESTBOOK)

    with pytest.raises(SpecError) as raised:
        record(program, "p", "test", registered=registered)
    assert str(raised.value) == (
        "NetworkPolicy guestbook/allow-ui-to-api is made twice in this program: by TierFirewall "
        "tiers and by Firewall guestbook; Kubernetes keeps one object per namespace and name, so "
        "rename one of them"
    )
    assert not [u for u in registered if "podfence:index:Firewall" in u], (
        "nothing of the second component is registered"
    )


def test_two_firewalls_or_a_hand_built_deny_beside_one_collide_too() -> None:
    with pytest.raises(SpecError, match="by Firewall one and by Firewall two"):
        record(lambda: (Firewall("one", GUESTBOOK), Firewall("two", GUESTBOOK)), "p", "t")
    with pytest.raises(SpecError, match="guestbook/deny-all is made twice"):
        record(
            lambda: (Firewall("one", GUESTBOOK), DefaultDeny("d", {"namespaces": ["guestbook"]})),
            "p",
            "t",
        )


def test_separate_programs_do_not_see_each_others_names() -> None:
    record(lambda: Firewall("guestbook", GUESTBOOK), "p", "one")
    record(lambda: Firewall("guestbook", GUESTBOOK), "p", "two")


def test_policy_names_name_every_policy_allows_first() -> None:
    seen: list[list[str]] = []
    record(lambda: Firewall("guestbook", PROD).policy_names.apply(seen.append), "p", "test")
    assert seen == [[f"guestbook/{m['metadata']['name']}" for m in _allows_then_denies(PROD)]]


def _allows_then_denies(config: dict[str, Any]) -> list[dict[str, Any]]:
    manifests = FirewallConfig.parse(config).manifests()
    return [m for m in manifests if not is_deny(m)] + [m for m in manifests if is_deny(m)]


def test_a_bad_firewall_is_one_line_and_registers_nothing() -> None:
    registered: list[str] = []
    with pytest.raises(SpecError) as raised:
        record(
            lambda: Firewall("fw", {**GUESTBOOK, "flows": [{"from": "ui", "to": "apii"}]}),
            "p",
            "test",
            registered=registered,
        )
    assert str(raised.value).startswith("fw.flows: flow ui -> apii names an unknown tier")
    assert registered == []


def test_the_program_turns_a_bad_config_into_one_line(repo: Path, tmp_path: Path) -> None:
    project = find_project(repo)
    config = project.pulumi_config("dev")
    bad = json.loads(config["guestbook:firewall"])
    bad["flows"].append({"from": "ui", "to": "dbb"})
    with pytest.raises(ConfigError, match=r"unknown tier 'dbb'"):
        record_program(
            project.program, project.name, "dev", {**config, "guestbook:firewall": json.dumps(bad)}
        )


def test_the_spec_namespaces_and_policies_stay_readable_and_only_outputs_are_annotated() -> None:
    made: list[Firewall] = []
    record(lambda: made.append(Firewall("guestbook", PROD)), "p", "test")
    (firewall,) = made
    assert firewall.spec == FirewallConfig.parse(PROD)
    assert list(firewall.namespaces) == ["guestbook"], "where its policies live"
    assert isinstance(firewall.namespaces["guestbook"], k8s.core.v1.Namespace)
    assert sorted(firewall.policies) == sorted(
        f"{m['metadata']['namespace']}/{m['metadata']['name']}" for m in firewall.spec.manifests()
    )
    # Pulumi's component provider host reads every public annotation as an output.
    public = {
        name
        for cls in Firewall.__mro__
        if cls.__module__.startswith("podfence")
        for name in getattr(cls, "__annotations__", {})
        if not name.startswith("_")
    }
    assert public == {"policy_names"}


def test_what_the_firewall_depends_on_its_namespaces_and_policies_wait_for() -> None:
    # Created namespaces, so that their dependencies show under mocks (a read's do not).
    def program() -> None:
        import pulumi

        earlier = k8s.core.v1.ConfigMap("earlier", metadata={"name": "earlier"})
        config = {**GUESTBOOK, "createNamespaces": True}
        Firewall("shop", config, pulumi.ResourceOptions(depends_on=[earlier]))

    resources = record(program, "p", "test")
    (earlier,) = [r for r in resources if r.name == "earlier"]
    children = [r for r in resources if r.type in (NETWORK_POLICY, NAMESPACE)]
    assert {c.type for c in children} == {NETWORK_POLICY, NAMESPACE}
    for child in children:
        assert earlier.urn in child.dependencies, f"{child.urn} does not wait for {earlier.urn}"
