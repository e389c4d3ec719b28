"""`podfence render`: what a stack would apply, printed as YAML, or as a bulk-import file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from golden import assert_golden
from paths import REPO, STACKS
from podfence.cli import ExitStatus, main
from podfence.cli.render import counted, is_podfence_file
from podfence.errors import ConfigError
from podfence.offline.recorder import RecordedResource
from podfence.offline.stack import bulk_import, record_stack, render_stack


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_prints_the_stack_as_golden_yaml(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--stack", stack, "--project-dir", str(REPO)]) == ExitStatus.SUCCESS
    out = capsys.readouterr().out
    assert_golden(f"render-{stack}.yaml", out)


@pytest.mark.parametrize("stack", STACKS)
def test_what_render_prints_parses_back_to_what_the_program_creates(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["render", "--stack", stack, "--project-dir", str(REPO)])
    printed = list(yaml.safe_load_all(capsys.readouterr().out))
    assert printed == render_stack(stack, REPO)


DEV_FILES = [
    "guestbook-allow-api-to-db.yaml",
    "guestbook-allow-ingress-controller.yaml",
    "guestbook-allow-monitoring-namespace.yaml",
    "guestbook-allow-ui-to-api.yaml",
    "guestbook-allow-using-ip.yaml",
    "guestbook-deny-all.yaml",
]


def _render_out(out: Path, stack: str = "dev", project: Path = REPO) -> int:
    return main(["render", "--stack", stack, "--project-dir", str(project), "--out", str(out)])


def test_render_out_writes_one_file_per_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev"
    assert _render_out(out) == 0
    assert sorted(p.name for p in out.iterdir()) == DEV_FILES
    assert yaml.safe_load((out / "guestbook-deny-all.yaml").read_text())["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
    }
    assert "wrote 6 objects" in capsys.readouterr().err


def test_render_out_removes_the_files_it_no_longer_makes_and_keeps_everything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev"
    assert _render_out(out, "prod") == ExitStatus.SUCCESS
    (out / "kustomization.yaml").write_text("resources: []\n")
    (out / "notes").mkdir()
    capsys.readouterr()
    assert _render_out(out) == ExitStatus.SUCCESS
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*DEV_FILES, "kustomization.yaml", "notes"]
    )
    assert (out / "kustomization.yaml").read_text() == "resources: []\n"
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"podfence: --out {out}: left kustomization.yaml as it is: podfence did not write it "
        "(no app.kubernetes.io/managed-by: podfence label)",
        f"podfence: --out {out}: left notes as it is: podfence did not write it "
        "(no app.kubernetes.io/managed-by: podfence label)",
        f"podfence: wrote 6 objects to {out}, removed 3 it no longer makes",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["dev"], "no staging folder is left behind"


def test_render_out_keeps_a_policy_another_tool_wrote(tmp_path: Path) -> None:
    out = tmp_path / "dev"
    out.mkdir()
    theirs = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\n"
    (out / "guestbook-x.yaml").write_text(theirs)
    assert _render_out(out) == ExitStatus.SUCCESS
    assert (out / "guestbook-x.yaml").read_text() == theirs


def test_render_out_that_fails_to_write_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dev"
    assert _render_out(out, "prod") == ExitStatus.SUCCESS
    before = {p.name: p.read_text() for p in out.iterdir()}
    written: list[str] = []
    real = Path.write_text

    def failing(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(self.name)
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    capsys.readouterr()
    assert _render_out(out) == ExitStatus.BAD_INPUT
    assert capsys.readouterr().err == (
        f"podfence: error: --out {out}: cannot write: No space left on device\n"
    )
    assert {p.name: p.read_text() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["dev"], "the partial staging is removed"


def test_render_out_onto_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev.yaml"
    out.write_text("x: 1\n")
    assert _render_out(out) == ExitStatus.BAD_INPUT
    assert capsys.readouterr().err == (
        f"podfence: error: --out {out}: is a file, not a directory\n"
    )
    assert out.read_text() == "x: 1\n"


def test_render_out_refuses_the_directory_it_runs_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    assert _render_out(Path(".")) == ExitStatus.BAD_INPUT
    assert capsys.readouterr().err == (
        "podfence: error: --out .: is the directory podfence runs in (or one above it), which it "
        "would replace; name a directory of its own, e.g. --out rendered/STACK\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_render_out_keeps_the_folders_permissions(tmp_path: Path) -> None:
    out = tmp_path / "dev"
    out.mkdir(mode=0o750)
    out.chmod(0o750)
    assert _render_out(out) == ExitStatus.SUCCESS
    assert out.stat().st_mode & 0o777 == 0o750


def test_is_podfence_file_needs_the_label_on_every_object(tmp_path: Path) -> None:
    labelled = (
        "kind: NetworkPolicy\nmetadata:\n  labels: {app.kubernetes.io/managed-by: podfence}\n"
    )
    path = tmp_path / "x.yaml"
    for text, ours in [
        (labelled, True),
        (labelled + "---\nkind: NetworkPolicy\nmetadata: {name: y}\n", False),
        ("kind: NetworkPolicy\nmetadata: {labels: {app.kubernetes.io/managed-by: helm}}\n", False),
        ("not: [yaml\n", False),
        ("", False),
    ]:
        path.write_text(text)
        assert is_podfence_file(path) is ours, text


def test_an_unknown_stack_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--stack", "qa", "--project-dir", str(REPO)]) == ExitStatus.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("podfence: error: no stack 'qa'")
    assert err.count("\n") == 1


def test_the_blogs_ip_block_fails_the_command_with_one_line_and_no_traceback(
    project_copy: Path,
) -> None:
    stack = project_copy / "stacks" / "Pulumi.blog.yaml"
    text = (project_copy / "stacks" / "Pulumi.dev.yaml").read_text()
    stack.write_text(text.replace("except: [10.72.10.0/24]", "except: 10.72.10.0/8"))
    done = subprocess.run(
        [sys.executable, "-m", "podfence", "render", "--stack", "blog"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitStatus.BAD_INPUT
    assert done.stdout == ""
    assert done.stderr == (
        "podfence: error: stacks/Pulumi.blog.yaml: firewall.ipBlockAllows[0].ipBlocks[0].except: "
        "except '10.72.10.0/8' must be a list of CIDRs, not a single string, and 10.72.10.0/8 does "
        "not lie inside cidr 10.72.0.0/16 (a /8 is larger than the /16 it should carve from); "
        'did you mean except: ["10.72.10.0/24"]?\n'
    )


def test_debug_shows_the_traceback(project_copy: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podfence", "--debug", "render", "--stack", "qa"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitStatus.BAD_INPUT
    assert "Traceback (most recent call last)" in done.stderr


def _engine_urns(document: dict[str, Any], project: str, stack: str) -> set[str]:
    """The URN `pulumi import --file` gives each entry: NewURN(stack, project, parent type,
    type, logicalName), parents found by name among the entries (pulumi's parseImportFile)."""
    entries = {entry["name"]: entry for entry in document["resources"]}

    def qualified(entry: dict[str, Any]) -> str:
        parent = entry.get("parent")
        prefix = f"{qualified(entries[parent])}$" if parent else ""
        return prefix + entry["type"]

    return {
        f"urn:pulumi:{stack}::{project}::{qualified(e)}::{e.get('logicalName', e['name'])}"
        for e in document["resources"]
    }


def test_import_file_for_dev_is_golden_and_prints_nothing_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "import.json"
    argv = ["render", "--stack", "dev", "--project-dir", str(REPO), "--import-file", str(path)]
    assert main(argv) == ExitStatus.SUCCESS
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"podfence: wrote 6 NetworkPolicies to {path}; next: pulumi import --stack dev --file "
        f"{path} --protect=false --generate-code=false, then pulumi up --stack dev\n"
    )
    assert_golden("import-dev.json", path.read_text(encoding="utf-8"))


def test_the_import_file_has_the_component_then_each_policy_by_namespace_and_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "import.json"
    main(["render", "--stack", "dev", "--project-dir", str(REPO), "--import-file", str(path)])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"resources"}  # no nameTable: the parent is in the file
    component, *policies = document["resources"]
    assert component == {"type": "podfence:index:Firewall", "name": "guestbook", "component": True}
    assert len(policies) == 6
    objects = render_stack("dev", REPO)
    assert [p["id"] for p in policies] == [
        f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in objects
    ]
    for policy, obj in zip(policies, objects, strict=True):
        assert policy == {
            "type": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "name": f"guestbook-guestbook-{obj['metadata']['name']}",
            "id": f"guestbook/{obj['metadata']['name']}",
            "parent": "guestbook",
        }


def test_pulumi_import_would_compute_exactly_the_urns_the_program_registers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "import.json"
    main(["render", "--stack", "dev", "--project-dir", str(REPO), "--import-file", str(path)])
    document = json.loads(path.read_text(encoding="utf-8"))
    _, resources = record_stack("dev", REPO)
    # The mock monitor puts the stack's type in front of a top-level resource's type; the engine
    # leaves the root stack out of URNs.
    registered = {
        r.urn.replace("::pulumi:pulumi:Stack$", "::")
        for r in resources
        if r.type in ("podfence:index:Firewall", "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    }
    assert "urn:pulumi:dev::guestbook::podfence:index:Firewall::guestbook" in registered
    assert _engine_urns(document, "guestbook", "dev") == registered


def _resource(type_: str, name: str, urn_type: str, **inputs: Any) -> RecordedResource:
    custom = type_ == "kubernetes:networking.k8s.io/v1:NetworkPolicy"
    if custom:
        inputs = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", **inputs}
    urn = f"urn:pulumi:dev::guestbook::{urn_type}::{name}"
    return RecordedResource(type_, name, urn, inputs, custom)


def test_two_firewalls_each_get_their_own_policies_and_a_shared_name_gets_a_logical_name() -> None:
    firewall, other = "podfence:index:Firewall", "podfence:index:Other"
    policy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

    def child(parent_type: str, name: str) -> RecordedResource:
        metadata = {"name": name.rsplit("-", 1)[-1], "namespace": "ns"}
        return _resource(policy, name, f"{parent_type}${policy}", metadata=metadata)

    resources = [
        _resource(firewall, "a", f"pulumi:pulumi:Stack${firewall}"),
        _resource(firewall, "b", f"pulumi:pulumi:Stack${firewall}"),
        _resource(other, "b-x", f"pulumi:pulumi:Stack${other}"),
        child(firewall, "a-ns-x"),
        child(firewall, "b-x"),  # b's policy, named like the other component
        child(other, "b-x-ns-z"),
    ]
    entries = bulk_import(resources)["resources"]
    assert [(e["name"], e.get("logicalName"), e.get("parent")) for e in entries] == [
        ("a", None, None),
        ("b", None, None),
        ("b-x", None, None),
        ("a-ns-x", None, "a"),
        ("b-x-2", "b-x", "b"),
        ("b-x-ns-z", None, "b-x"),
    ]
    assert _engine_urns({"resources": entries}, "guestbook", "dev") == {
        r.urn.replace("::pulumi:pulumi:Stack$", "::") for r in resources
    }
    resources.append(child(firewall, "c-ns-y"))  # named after neither firewall
    with pytest.raises(ConfigError, match="cannot tell which podfence:index:Firewall"):
        bulk_import(resources)


def test_a_policy_with_an_explicit_provider_is_one_clear_error() -> None:
    policy = RecordedResource(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "p",
        "urn:pulumi:dev::guestbook::pulumi:pulumi:Stack$kubernetes:networking.k8s.io/v1:NetworkPolicy::p",
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "ns"},
        },
        True,
        provider="urn:pulumi:dev::guestbook::pulumi:providers:kubernetes::k8s::id",
    )
    with pytest.raises(ConfigError, match=r"^--import-file: p is created with the provider .*k8s"):
        bulk_import([policy])


def test_an_unwritable_import_file_is_one_line_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing" / "import.json"
    argv = ["render", "--stack", "dev", "--project-dir", str(REPO), "--import-file", str(path)]
    assert main(argv) == ExitStatus.BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"podfence: error: --import-file {path}: cannot write: No such file or directory\n"
    )
    assert not path.exists()


def test_import_file_and_out_cannot_be_combined(tmp_path: Path) -> None:
    argv = ["render", "--stack", "dev", "--out", str(tmp_path), "--import-file", "i.json"]
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == ExitStatus.BAD_INPUT


def test_a_stack_that_renders_to_a_directory_has_nothing_to_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "import.json"
    status = main(
        ["render", "--stack", "local", "--project-dir", str(REPO), "--import-file", str(target)]
    )
    assert status == 2
    assert capsys.readouterr().err == (
        "podfence: error: stack local renders YAML to rendered/local "
        "(kubernetes:renderYamlToDirectory) instead of applying it: there is nothing in a cluster "
        "to import\n"
    )
    assert not target.exists()


def test_the_import_files_message_counts_the_objects_by_kind_in_plural_where_due() -> None:
    kinds = ["NetworkPolicy", "NetworkPolicy", "BaselineAdminNetworkPolicy", "Namespace"]
    assert counted(kinds) == "2 NetworkPolicies, 1 BaselineAdminNetworkPolicy and 1 Namespace"
    assert counted(["Namespace", "Namespace", "IngressClass", "IngressClass"]) == (
        "2 Namespaces and 2 IngressClasses"
    )
    assert counted(["Gateway", "Gateway"]) == "2 Gateways"
    assert counted([]) == "no objects"
