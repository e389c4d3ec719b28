"""stack-expectations-hold: a flow of the stack's expectations file that its policies break is
caught at preview with the engine's explanation; the guestbook's stacks keep theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import REPO
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack.expectations import POLICY
from podfence.testing import run_program
from policy_pack.harness import (
    cluster_policy,
    deployment,
    network_policy,
    program,
    stack,
    stack_args,
    violations,
)
from pulumi_policy.policy import _NotApplicableError

WEB = {"app": "web"}
API = {"app": "api"}
DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress"]}
WEB_TO_API = {
    "podSelector": {"matchLabels": API},
    "policyTypes": ["Ingress"],
    "ingress": [{"from": [{"podSelector": {"matchLabels": WEB}}], "ports": [{"port": 8080}]}],
}


@pytest.fixture(autouse=True)
def in_the_policy_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as the Pulumi CLI runs the pack: in its directory, policy/."""
    monkeypatch.chdir(REPO / "policy")


def _not_applicable(resources: list[RecordedResource], config: dict[str, Any] | None = None) -> str:
    with pytest.raises(_NotApplicableError) as raised:
        POLICY.validate(stack_args(resources, config), lambda message, urn=None: None)
    return str(raised.value.reason)


def _shop() -> list[RecordedResource]:
    def build() -> None:
        deployment("shop", "web", WEB, [{"containerPort": 80}])
        deployment("shop", "api", API, [{"containerPort": 8080, "name": "http"}])
        network_policy("shop", "deny-all", DENY_ALL)
        network_policy("shop", "allow-web-to-api", WEB_TO_API)

    return program(build)


def _test_stack(
    resources: list[RecordedResource], config: dict[str, Any]
) -> list[tuple[str, str | None]]:
    """The violations on a program captured as stack ``test`` of project ``test``."""
    with stack("test", "test"):
        return violations(POLICY, resources, config)


def _expect(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "shop.expect.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return str(path)


def test_the_guestbooks_stacks_keep_their_expectations(
    guestbook: dict[str, list[RecordedResource]],
) -> None:
    for name, resources in guestbook.items():
        with stack("guestbook", name):
            assert violations(POLICY, resources) == [], name


def test_a_flow_the_stack_opens_against_its_expectations_is_caught_with_the_engines_why() -> None:
    from podfence.offline.project import find_project

    firewall = find_project(REPO).stack_config("dev")["guestbook:firewall"]
    flows = [*firewall["flows"], {"from": "ui", "to": "db"}]
    resources = run_program(REPO, "dev", {"firewall": {**firewall, "flows": flows}}).resources
    with stack("guestbook", "dev"):
        [(message, urn)] = violations(POLICY, resources)
    assert message.splitlines()[:5] == [
        "stacks/dev.expect.yaml deny[0] guestbook/ui -> guestbook/db 6379/TCP: expected deny, "
        "allowed",
        "  expected because: the UI talks to the api, never to the db",
        "  guestbook/ui -> guestbook/db on 6379/TCP: allowed",
        "    ingress at guestbook/db: allowed: guestbook/db is isolated for ingress by "
        "guestbook/allow-api-to-db, guestbook/allow-monitoring-namespace, "
        "guestbook/allow-ui-to-db, guestbook/allow-using-ip, guestbook/deny-all; allowed by:",
        "      - guestbook/allow-ui-to-db ingress rule 0: from pods "
        "app=guestbook-ui,tier=frontend in namespace guestbook on 6379/TCP",
    ]
    assert message.endswith("(evaluated on the inventory derived from stack dev's firewall config)")
    assert urn == next(r.urn for r in resources if r.name == "guestbook-guestbook-allow-ui-to-db")


def test_a_stack_without_an_expectations_file_is_not_applicable(
    shop: list[RecordedResource],
) -> None:
    with stack("shop", "dev"):
        reason = _not_applicable(shop, {"projectDir": str(REPO / "examples" / "shop")})
        assert reason == (
            f"stack dev has no expectations file ({REPO / 'examples' / 'shop' / 'stacks'}"
            "/dev.expect.yaml)"
        )
        assert _not_applicable(shop).startswith("no Pulumi.yaml of project shop in ")


def test_without_a_stack_from_the_cli_the_policy_is_not_applicable(
    shop: list[RecordedResource],
) -> None:
    assert _not_applicable(shop) == "the Pulumi CLI named no stack or project (PULUMI_STACK)"


def test_the_stacks_workloads_are_the_inventory_when_it_has_workloads(tmp_path: Path) -> None:
    expect = {
        "allow": [{"from": "shop/web", "to": "shop/api", "port": "http"}],
        "deny": [
            {"from": "shop/api", "to": "shop/web", "port": 80},
            {"from": "shop/web", "to": "shop/api", "port": 8080, "why": "wrong on purpose"},
        ],
    }
    [(message, urn)] = _test_stack(_shop(), {"expectations": _expect(tmp_path, expect)})
    assert message.splitlines()[0].endswith(
        "deny[1] shop/web -> shop/api 8080/TCP: expected deny, allowed"
    )
    assert message.endswith("(evaluated on the stack's namespaces and workloads)")
    assert urn is not None and urn.endswith("::shop-allow-web-to-api")


def test_a_configured_inventory_is_read_instead(tmp_path: Path) -> None:
    inventory = tmp_path / "cluster.yaml"
    pods = [
        {"kind": "Pod", "metadata": {"name": name, "namespace": "shop", "labels": labels}}
        for name, labels in (("web-7d9", WEB), ("api-5f2", API))
    ]
    inventory.write_text(yaml.safe_dump({"kind": "List", "items": pods}), encoding="utf-8")
    expect = {"deny": [{"from": "shop/web-7d9", "to": "shop/api-5f2", "port": 8080}]}
    config = {"expectations": _expect(tmp_path, expect), "inventory": [str(inventory)]}
    [(message, _)] = _test_stack(_shop(), config)
    assert "deny[0] shop/web-7d9 -> shop/api-5f2 8080/TCP: expected deny, allowed" in message
    assert message.endswith(f"(evaluated on the inventory {inventory})")


def test_without_workloads_the_inventory_is_derived_from_the_policies(tmp_path: Path) -> None:
    resources = program(lambda: network_policy("shop", "allow-web-to-api", WEB_TO_API))
    expect = {"allow": [{"from": "shop/web", "to": "shop/api", "port": 8080}]}
    assert _test_stack(resources, {"expectations": _expect(tmp_path, expect)}) == []
    expect = {"deny": [{"from": "shop/web", "to": "shop/api", "port": 8080}]}
    [(message, _)] = _test_stack(resources, {"expectations": _expect(tmp_path, expect)})
    assert message.endswith("(evaluated on the inventory derived from the policies)")


def test_an_expectation_naming_a_pod_the_inventory_lacks_lists_its_pods(tmp_path: Path) -> None:
    expect = {"allow": [{"from": "shop/ui", "to": "shop/api", "port": 8080}]}
    [(message, urn)] = _test_stack(_shop(), {"expectations": _expect(tmp_path, expect)})
    assert message.startswith("cannot check the stack's expectations: ")
    assert "allow[0] (shop/ui -> shop/api 8080/TCP): " in message
    assert message.endswith(
        "(on the stack's namespaces and workloads; its pods: shop/api, shop/web)"
    )
    assert urn is None


def test_a_missing_or_invalid_expectations_file_is_reported(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.yaml")
    [(message, _)] = _test_stack(_shop(), {"expectations": missing})
    assert message.startswith(f"cannot check the stack's expectations: {missing}")
    invalid = _expect(tmp_path, {"allow": [{"from": "shop/web", "port": 80}]})
    [(message, _)] = _test_stack(_shop(), {"expectations": invalid})
    assert message.startswith(f"cannot check the stack's expectations: {invalid}: allow[0]")


def test_a_project_dir_of_another_project_is_reported() -> None:
    [(message, _)] = _test_stack(_shop(), {"projectDir": str(REPO)})
    assert message == (
        "cannot check the stack's expectations: policy config stack-expectations-hold.projectDir "
        f"{str(REPO)!r}: its Pulumi.yaml names project 'guestbook', not the stack's project 'test'"
    )


def test_the_stacks_cluster_wide_policies_are_evaluated_and_a_failure_names_theirs(
    tmp_path: Path,
) -> None:
    rule = {"name": "no-8080", "action": "Deny", "from": [{"namespaces": {}}]}
    rule["ports"] = [{"portNumber": {"protocol": "TCP", "port": 8080}}]

    def build() -> None:
        deployment("shop", "web", WEB, [{"containerPort": 80}])
        deployment("shop", "api", API, [{"containerPort": 8080, "name": "http"}])
        network_policy("shop", "allow-web-to-api", WEB_TO_API)
        spec = {"priority": 1, "subject": {"namespaces": {}}, "ingress": [rule]}
        cluster_policy("AdminNetworkPolicy", "no-8080", spec)

    resources = program(build)
    expect = {"allow": [{"from": "shop/web", "to": "shop/api", "port": 8080}]}
    [(message, urn)] = _test_stack(resources, {"expectations": _expect(tmp_path, expect)})
    assert (
        "ingress at shop/api: denied by AdminNetworkPolicy no-8080 (Admin tier, priority 1), "
        'ingress rule 0 "no-8080"'
    ) in message
    assert urn is not None and urn.endswith("::AdminNetworkPolicy-no-8080")
