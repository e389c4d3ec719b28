"""Two policy sets on one inventory: the flows that change verdict, and how they are reported."""

from __future__ import annotations

import json

import yaml
from podfence.reachability import load_cluster
from podfence.reachability.diff import FirewallDiff, diff_firewalls
from podfence.reachability.diff_report import render_markdown, render_text
from reachability.helpers import cluster_policy, namespace, pod, policy

DENY = policy("shop/deny", {"podSelector": {}, "policyTypes": ["Ingress"]})


def _pods(count: int) -> list[dict[str, object]]:
    return [namespace("shop")] + [
        pod(
            f"shop/web-{n:03}",
            f"10.0.{n // 250}.{n % 250 + 1}",
            [{"containerPort": 80}],
            app=f"web-{n:03}",
        )
        for n in range(count)
    ]


def _diff(
    base: list[dict[str, object]], head: list[dict[str, object]], inventory: list[dict[str, object]]
) -> FirewallDiff:
    before = load_cluster([*base, *inventory])
    after = load_cluster([*head, *inventory])
    return diff_firewalls(
        before.policies,
        after.policies,
        after.inventory,
        base,
        head,
        lambda manifest: yaml.safe_dump(dict(manifest), sort_keys=False),
    )


def test_a_deny_all_closes_every_flow_and_names_no_rule_for_what_was_open() -> None:
    diff = _diff([], [DENY], _pods(3))
    assert not diff.opened
    assert len(diff.closed) == 6, "3 pods, each to the 2 others on port 80"
    assert all(change.by == () for change in diff.closed), "nothing isolated them before"
    assert diff.added == ("shop/deny",)
    assert diff.summary == "opens 0 connections, closes 6; 1 policy added"
    assert diff.has_changes


def test_the_json_contract_has_its_keys_and_shapes() -> None:
    allow = policy(
        "shop/allow-web-000",
        {
            "podSelector": {"matchLabels": {"app": "web-001"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web-000"}}}]}],
        },
    )
    report = _diff([DENY], [DENY, allow], _pods(2)).to_json()
    assert report["opened"] == [
        {
            "from": "shop/web-000",
            "to": "shop/web-001",
            "port": 80,
            "protocol": "TCP",
            "by": [{"policy": "shop/allow-web-000", "rule": 0, "direction": "ingress"}],
            "reason": "allowed by shop/allow-web-000 ingress rule 0",
            "other_side": "ingress denied: isolated by shop/deny, no rule admits it",
        }
    ]
    assert report["closed"] == []
    assert report["policies"] == {"added": ["shop/allow-web-000"], "removed": [], "changed": []}
    assert report["summary"] == "opens 1 connection, closes 0; 1 policy added"
    assert report["manifest_diff"].startswith(
        "--- a/shop/allow-web-000\n+++ b/shop/allow-web-000\n"
    )
    json.dumps(report)


def test_the_same_policies_change_nothing() -> None:
    diff = _diff([DENY], [DENY], _pods(2))
    assert not diff.has_changes
    assert diff.summary == "opens 0 connections, closes 0; no policy changed"
    assert render_text(diff, {}, "t") == "t\nopens 0 connections, closes 0; no policy changed\n"


def test_a_comment_too_long_for_github_is_cut_and_says_what_it_cut() -> None:
    diff = _diff([], [DENY], _pods(60))  # 3,540 closed flows
    full = render_markdown(diff, {}, "title", limit=10**9)
    assert "more rows cut" not in full
    cut = render_markdown(diff, {}, "title", limit=20_000)
    assert len(cut) < 20_000
    assert cut.startswith("### title\n\n**opens 0 connections, closes 3540; 1 policy added**\n")
    assert "more rows cut to fit the comment limit._" in cut
    assert "Cut to stay under 20,000 characters:" in cut
    assert "Run `podfence diff --output json` for every flow." in cut


def test_flows_between_the_same_nodes_on_one_port_are_one_row() -> None:
    diff = _diff([], [DENY], _pods(3))
    nodes = {f"shop/web-{n:03}": "web" for n in range(3)}
    text = render_text(diff, nodes, "t")
    assert "  web -> web 80/TCP (6 flows): no longer allowed; was allowed by no policy" in text


def test_an_admin_allow_opens_flows_a_deny_all_closed_and_is_named_as_what_allows_them() -> None:
    allow = cluster_policy(
        "AdminNetworkPolicy",
        "let-web-000-in",
        {
            "priority": 3,
            "subject": {
                "pods": {
                    "namespaceSelector": {},
                    "podSelector": {"matchLabels": {"app": "web-000"}},
                }
            },
            "ingress": [{"name": "from-shop", "action": "Allow", "from": [{"namespaces": {}}]}],
        },
    )
    diff = _diff([DENY], [DENY, allow], _pods(3))
    assert [(c.verdict.source, c.verdict.destination) for c in diff.opened] == [
        ("shop/web-001", "shop/web-000"),
        ("shop/web-002", "shop/web-000"),
    ]
    assert all(c.by == () for c in diff.opened)
    assert [str(rule) for rule in diff.opened[0].tier_by] == [
        'AdminNetworkPolicy let-web-000-in (Admin tier, priority 3), ingress rule 0 "from-shop"'
    ]
    assert diff.added == ("AdminNetworkPolicy let-web-000-in",)
    flow = diff.to_json()["opened"][0]
    assert flow["by"] == [
        {
            "kind": "AdminNetworkPolicy",
            "policy": "let-web-000-in",
            "tier": "Admin",
            "priority": 3,
            "direction": "ingress",
            "rule": 0,
            "name": "from-shop",
            "action": "Allow",
        }
    ]
    assert "now allowed by AdminNetworkPolicy let-web-000-in" in render_text(diff, {}, "t")


def test_a_cluster_wide_deny_of_the_nodes_closes_the_flows_to_their_addresses() -> None:
    from reachability.helpers import node

    inventory = [*_pods(1), node("worker-1", {"role": "worker"}, ["10.9.0.11"])]
    deny = cluster_policy(
        "AdminNetworkPolicy",
        "no-nodes",
        {
            "priority": 10,
            "subject": {"namespaces": {}},
            "egress": [
                {
                    "name": "deny-kubelet",
                    "action": "Deny",
                    "to": [{"nodes": {}}],
                    "ports": [{"portNumber": {"protocol": "TCP", "port": 10250}}],
                },
            ],
        },
    )
    diff = _diff([], [deny], inventory)
    assert [str(change.verdict.traffic.destination.key) for change in diff.closed] == [
        "node/worker-1 (10.9.0.11)"
    ]
    assert not diff.opened
