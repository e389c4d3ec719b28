"""`podfence diff`: the connections a change opens and closes, in text, Markdown and JSON."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from golden import assert_golden
from paths import REPO
from podfence.cli.app import main

COOKBOOK = REPO / "examples" / "cookbook" / "deny-external-egress"
DIFF_KEYS = {"opened", "closed", "policies", "summary"}
FLOW_KEYS = {"from", "to", "port", "protocol", "by"}


def _git(directory: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "podfence tests",
        "GIT_AUTHOR_EMAIL": "tests@podfence.invalid",
        "GIT_COMMITTER_NAME": "podfence tests",
        "GIT_COMMITTER_EMAIL": "tests@podfence.invalid",
    }
    done = subprocess.run(
        ["git", "-C", str(directory), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The guestbook program and its stacks in a git repository of their own, committed."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "stacks", root / "stacks")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of this test's own, where the base checkout goes: so that
    another process's checkout in the shared one is not taken for a trace left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _edit(project: Path, stack: str, old: str, new: str) -> None:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _diff(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    status = main(["diff", "--project-dir", str(project), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _without_commit(text: str) -> str:
    return re.sub(r"\(([0-9a-f]{12})\)", "(BASE)", text)


def test_a_new_flow_ui_to_db_is_flagged_in_the_pull_request_comment(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _edit(
        project, "dev", "- {from: api, to: db}", "- {from: api, to: db}\n      - {from: ui, to: db}"
    )
    status, out, err = _diff(capsys, project, "--stack", "dev", "--base", "main", "-o", "markdown")
    assert (status, err) == (1, ""), "a change exits 1, like diff(1)"
    assert _without_commit(out).startswith(
        "### podfence diff: stack dev, main (BASE) -> working tree\n\n"
        "**:warning: opens 1 connection, closes 0; 1 policy added**\n"
    ), "the summary comes first"
    assert_golden("diff-dev-ui-to-db.md", _without_commit(out))
    assert len(out) < 65_536


def test_a_changed_port_closes_the_old_flows_and_opens_the_new(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _edit(project, "dev", "ports: [8080]", "ports: [8081]")
    status, out, _ = _diff(capsys, project, "--stack", "dev", "--base", "main")
    assert status == 1
    assert_golden("diff-dev-api-port.txt", _without_commit(out))
    assert "guestbook/ui -> guestbook/api 8081/TCP: now allowed by guestbook/allow-ui-to-api" in out
    assert "guestbook/ui -> guestbook/api 8080/TCP: no longer allowed; was allowed by" in out


def test_removing_the_monitoring_allow_closes_every_tier_to_monitoring(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    path = project / "stacks" / "Pulumi.dev.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    namespaceAllows:")
    end = text.index("    ipBlockAllows:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    status, out, _ = _diff(capsys, project, "--stack", "dev", "--base", "main", "-o", "json")
    assert status == 1
    report = json.loads(out)
    assert set(report) >= DIFF_KEYS
    assert report["opened"] == []
    closed = {(f["from"], f["to"], f["port"], f["protocol"]) for f in report["closed"]}
    assert closed == {
        ("monitoring/client", "guestbook/ui", 80, "TCP"),
        ("monitoring/client", "guestbook/api", 8080, "TCP"),
        ("monitoring/client", "guestbook/db", 6379, "TCP"),
    }
    for flow in report["closed"]:
        assert set(flow) >= FLOW_KEYS
        assert flow["by"] == [
            {"policy": "guestbook/allow-monitoring-namespace", "rule": 0, "direction": "ingress"}
        ], "a closed flow names what allowed it before"
    assert report["policies"] == {
        "added": [],
        "removed": ["guestbook/allow-monitoring-namespace"],
        "changed": [],
    }
    assert report["summary"] == "opens 0 connections, closes 3; 1 policy removed"


def test_nothing_changed_exits_0_and_leaves_no_trace(
    capsys: pytest.CaptureFixture[str], project: Path, scratch: Path
) -> None:
    status_before = _git(project, "status", "--porcelain")
    worktrees = _git(project, "worktree", "list")
    status, out, _ = _diff(capsys, project, "--stack", "prod", "--base", "main")
    assert status == 0
    assert "opens 0 connections, closes 0; no policy changed" in out
    assert _git(project, "status", "--porcelain") == status_before
    assert _git(project, "worktree", "list") == worktrees
    assert list(scratch.iterdir()) == []


def test_the_checkout_is_removed_even_when_the_base_fails_to_render(
    capsys: pytest.CaptureFixture[str], project: Path, scratch: Path
) -> None:
    _edit(project, "dev", "namespace: guestbook", "namespace: Guest_Book")
    _git(project, "commit", "-qam", "broken")
    _edit(project, "dev", "namespace: Guest_Book", "namespace: guestbook")
    status, _, err = _diff(capsys, project, "--stack", "dev", "--base", "HEAD")
    assert status == 2
    assert err.startswith("podfence: error: the stack dev does not render at the base revision:")
    assert err.count("\n") == 1
    assert list(scratch.iterdir()) == []


def test_an_unknown_base_is_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    status, _, err = _diff(capsys, project, "--stack", "dev", "--base", "no-such-branch")
    assert status == 2
    assert err == f"podfence: error: --base 'no-such-branch' is not a commit of {project}\n"


def test_a_stack_new_in_the_working_tree_closes_what_was_open_before_it(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    shutil.copy(project / "stacks" / "Pulumi.dev.yaml", project / "stacks" / "Pulumi.qa.yaml")
    status, out, err = _diff(capsys, project, "--stack", "qa", "--base", "main", "-o", "json")
    assert status == 1
    assert "stack qa does not exist at main" in err
    report = json.loads(out)
    assert len(report["policies"]["added"]) == 6
    assert report["opened"] == [], "without policies everything was allowed"
    closed = {(f["from"], f["to"], f["port"]): f["by"] for f in report["closed"]}
    assert closed[("guestbook/ui", "guestbook/db", 6379)] == [], (
        "it was allowed because nothing isolated either end"
    )
    assert ("guestbook/ui", "guestbook/api", 8080) not in closed


def test_two_policy_files_compare_on_one_inventory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    open_egress = tmp_path / "open.yaml"
    open_egress.write_text(
        (COOKBOOK / "policies.yaml")
        .read_text(encoding="utf-8")
        .replace("    - to:\n        - namespaceSelector: {}\n", "    - {}\n"),
        encoding="utf-8",
    )
    status = main(
        [
            "diff",
            "--base-policies",
            str(COOKBOOK / "policies.yaml"),
            "--policies",
            str(open_egress),
            "--inventory",
            str(COOKBOOK / "inventory.yaml"),
            "--external",
            "93.184.216.34",
            "--port",
            "443",
            "-o",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    opened = {(f["from"], f["to"], f["port"]) for f in report["opened"]}
    assert opened == {("default/test", "93.184.216.34", 443)}, (
        "allowing every egress opens the way out, and only that"
    )
    assert report["opened"][0]["by"] == [
        {"policy": "default/deny-external-egress", "rule": 1, "direction": "egress"}
    ]
    assert report["policies"]["changed"] == ["default/deny-external-egress"]


def test_a_kind_that_is_no_string_in_policies_is_no_policy_not_an_internal_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: [NetworkPolicy]\n"
        "metadata: {name: deny-all, namespace: default}\nspec: {podSelector: {}}\n"
    )
    status = main(
        [
            "diff",
            "--base-policies",
            str(odd),
            "--policies",
            str(COOKBOOK / "policies.yaml"),
            "--inventory",
            str(COOKBOOK / "inventory.yaml"),
            "-o",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["policies"]["added"] == ["default/deny-external-egress"], (
        "the base side's object of a list kind is no policy"
    )


def test_diff_needs_two_sides(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    status, _, err = _diff(capsys, project, "--stack", "dev")
    assert status == 2
    assert "--stack needs --base GIT_REF" in err
    assert main(["diff", "--policies", str(COOKBOOK / "policies.yaml")]) == 2
    assert "--policies needs --base-policies" in capsys.readouterr().err


def test_a_namespace_missing_from_the_inventory_is_warned_about_unless_meant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pods = tmp_path / "pods.yaml"
    pods.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: test, namespace: default, labels: {app: test}}\n",
        encoding="utf-8",
    )
    args = [
        "diff",
        "--base-policies",
        str(COOKBOOK / "policies.yaml"),
        "--policies",
        str(COOKBOOK / "policies.yaml"),
        "--inventory",
        str(pods),
    ]
    assert main(args) == 0
    assert "podfence: warning: namespace default is not in the inventory" in capsys.readouterr().err
    assert main([*args, "--namespaces-from-pods"]) == 0
    assert capsys.readouterr().err == ""


ADMIN_TIER = REPO / "examples" / "cookbook" / "admin-tier"


def test_a_cluster_wide_policy_added_is_compared_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The admin-tier recipe against the same policies without its AdminNetworkPolicies and
    baseline: the Admin-tier deny closes monitoring's access to the database; the policies are
    named by kind and name."""
    text = (ADMIN_TIER / "policies.yaml").read_text(encoding="utf-8")
    only_network_policies = "---".join(
        part for part in text.split("---") if "kind: NetworkPolicy" in part
    )
    base = tmp_path / "base.yaml"
    base.write_text(only_network_policies, encoding="utf-8")
    status = main(
        [
            "diff",
            "--base-policies",
            str(base),
            "--policies",
            str(ADMIN_TIER / "policies.yaml"),
            "--inventory",
            str(ADMIN_TIER / "inventory.yaml"),
            "--output",
            "json",
        ]
    )
    out = capsys.readouterr().out
    data = json.loads(out)
    assert status == 1
    assert data["policies"]["added"] == [
        "AdminNetworkPolicy deny-db-from-monitoring",
        "AdminNetworkPolicy deny-redis",
        "AdminNetworkPolicy guestbook-decides-within",
        "BaselineAdminNetworkPolicy default",
    ]
    closed = {(f["from"], f["to"], f["port"]): f for f in data["closed"]}
    db = closed[("monitoring/prometheus", "guestbook/db", 6379)]
    assert db["other_side"] == (
        "ingress denied by AdminNetworkPolicy deny-db-from-monitoring (Admin tier, priority 10), "
        'ingress rule 0 "deny-monitoring"'
    )
    assert ("monitoring/prometheus", "sandbox/scratch", 8080) in closed, "the baseline closes it"
    assert data["opened"] == []
