"""Reading a Pulumi project without the CLI: Pulumi.yaml, stack files, their config."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from podfence.cli import ExitStatus, main
from podfence.errors import ConfigError
from podfence.offline.project import SECRET_PLACEHOLDER, find_project, is_secure
from podfence.offline.recorder import record
from podfence.offline.stack import render_stack


def test_the_project_is_found_from_a_folder_below_it(repo: Path) -> None:
    project = find_project(repo / "components" / "podfence")
    assert project.directory == repo
    assert project.name == "guestbook"
    assert project.stack_config_dir == repo / "stacks"
    assert project.program == repo / "__main__.py"


def test_every_stack_file_is_listed(repo: Path) -> None:
    assert find_project(repo).stacks() == ["dev", "local", "prod", "staging"]


def test_an_unknown_stack_names_the_file_and_the_known_stacks(repo: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"no stack 'qa': .*Pulumi\.qa\.yaml does not exist "
        r"\(stacks: dev, local, prod, staging\)",
    ):
        find_project(repo).stack_config("qa")


def test_no_pulumi_yaml_anywhere_above_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no Pulumi\.yaml in .* or above it"):
        find_project(tmp_path)


def test_config_keys_without_a_namespace_get_the_projects(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.bare.yaml").write_text("config:\n  greeting: hi\n")
    assert find_project(project_copy).stack_config("bare") == {"guestbook:greeting": "hi"}


def test_objects_reach_the_runtime_as_json_and_strings_as_they_are(repo: Path) -> None:
    config = find_project(repo).pulumi_config("local")
    assert config["kubernetes:renderYamlToDirectory"] == "rendered/local"
    assert json.loads(config["guestbook:firewall"])["namespace"] == "guestbook"


SECURE_KUBECONFIG = "  kubernetes:kubeconfig:\n    secure: AAABAHxQe3Vz0m9kZXY=\n"


def _with_secure_kubeconfig(project_copy: Path, name: str) -> Path:
    """A copy of the dev stack whose kubeconfig is encrypted, as `pulumi config set --secret`
    writes it."""
    dev = (project_copy / "stacks" / "Pulumi.dev.yaml").read_text()
    stack = project_copy / "stacks" / f"Pulumi.{name}.yaml"
    stack.write_text(dev.replace("config:\n", "config:\n" + SECURE_KUBECONFIG, 1))
    return stack


def test_a_stack_with_a_secure_kubeconfig_renders_what_the_plain_stack_renders(
    repo: Path, project_copy: Path
) -> None:
    _with_secure_kubeconfig(project_copy, "sealed")
    assert render_stack("sealed", project_copy) == render_stack("dev", repo)


def test_a_secure_value_reaches_the_program_as_a_secret_placeholder(project_copy: Path) -> None:
    _with_secure_kubeconfig(project_copy, "sealed")
    project = find_project(project_copy)
    config = project.pulumi_config("sealed")
    assert config["kubernetes:kubeconfig"] == SECRET_PLACEHOLDER
    assert project.secret_keys("sealed") == ["kubernetes:kubeconfig"]
    seen: list[object] = []

    def program() -> None:
        seen.append(pulumi.Config("kubernetes").get("kubeconfig"))
        seen.append(pulumi.runtime.is_config_secret("kubernetes:kubeconfig"))
        seen.append(pulumi.runtime.is_config_secret("guestbook:firewall"))

    record(program, "guestbook", "sealed", config, secret_keys=project.secret_keys("sealed"))
    assert seen == [SECRET_PLACEHOLDER, True, False]
    assert not pulumi.runtime.is_config_secret("kubernetes:kubeconfig")  # reset afterwards


def test_a_secure_part_of_an_object_is_replaced_and_the_whole_key_is_secret(
    project_copy: Path,
) -> None:
    (project_copy / "stacks" / "Pulumi.s.yaml").write_text(
        "config:\n  guestbook:db:\n    user: app\n    password:\n      secure: AAABAL==\n"
        "  guestbook:tiers:\n    secure: {not: encrypted}\n"
    )
    project = find_project(project_copy)
    assert json.loads(project.pulumi_config("s")["guestbook:db"]) == {
        "user": "app",
        "password": SECRET_PLACEHOLDER,
    }
    # A mapping whose `secure` holds no string is plain config (a tier may be named `secure`).
    assert json.loads(project.pulumi_config("s")["guestbook:tiers"]) == {
        "secure": {"not": "encrypted"}
    }
    assert project.secret_keys("s") == ["guestbook:db"]
    assert not is_secure({"secure": {"not": "encrypted"}})


def test_a_secure_firewall_is_one_clear_error(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_copy / "stacks" / "Pulumi.s.yaml").write_text(
        SECURE_KUBECONFIG.join(["config:\n", "  guestbook:firewall:\n    secure: AAABAL==\n"])
    )
    argv = ["render", "--stack", "s", "--project-dir", str(project_copy)]
    assert main(argv) == ExitStatus.BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"podfence: error: {project_copy / 'stacks' / 'Pulumi.s.yaml'}: config guestbook:firewall "
        "is encrypted (secure:); podfence's offline commands cannot decrypt it: keep the "
        "firewall object in plain text\n"
    )


def test_a_secure_value_inside_the_firewall_names_where(project_copy: Path) -> None:
    dev = (project_copy / "stacks" / "Pulumi.dev.yaml").read_text()
    sealed = dev.replace("ports: [6379]", "ports:\n          - secure: AAABAL==")
    (project_copy / "stacks" / "Pulumi.s.yaml").write_text(sealed)
    with pytest.raises(
        ConfigError,
        match=r"config guestbook:firewall\.tiers\.db\.ports\[0\] is encrypted \(secure:\); "
        r"podfence's offline commands cannot decrypt it: keep the firewall object in plain text$",
    ):
        render_stack("s", project_copy)


def test_invalid_yaml_in_a_stack_file_names_the_line(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.bad.yaml").write_text("config:\n  a: [1, 2\n")
    with pytest.raises(ConfigError, match=r"Pulumi\.bad\.yaml: line 3"):
        find_project(project_copy).stack_config("bad")


def test_a_key_given_twice_in_a_stack_file_names_the_key_and_both_lines(
    project_copy: Path,
) -> None:
    (project_copy / "stacks" / "Pulumi.twice.yaml").write_text(
        "config:\n  guestbook:firewall:\n    namespace: a\n    namespace: b\n"
    )
    with pytest.raises(ConfigError) as raised:
        find_project(project_copy).stack_config("twice")
    assert str(raised.value) == (
        f"{project_copy / 'stacks' / 'Pulumi.twice.yaml'}: line 4: duplicate key 'namespace' "
        "(first on line 3): YAML keeps only the last one; merge them or remove one"
    )


def test_a_key_a_merge_brings_in_may_be_overridden(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.merge.yaml").write_text(
        "base: &base {a: 1, b: 2}\nconfig:\n  guestbook:x:\n    <<: *base\n    b: 3\n"
    )
    assert find_project(project_copy).stack_config("merge") == {"guestbook:x": {"a": 1, "b": 3}}


def test_a_misspelt_config_section_is_named(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.typo.yaml").write_text("conifg:\n  guestbook:x: 1\n")
    with pytest.raises(ConfigError) as raised:
        find_project(project_copy).stack_config("typo")
    assert str(raised.value) == (
        f"{project_copy / 'stacks' / 'Pulumi.typo.yaml'}: unknown key 'conifg'; did you mean "
        "config?"
    )
