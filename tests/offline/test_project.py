"""Reading a Pulumi project without the CLI: Pulumi.yaml, stack files, their config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from podfence.errors import ConfigError
from podfence.offline.project import find_project


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


def test_a_secret_cannot_be_read_offline_and_says_so(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.s.yaml").write_text(
        "config:\n  guestbook:token:\n    secure: AAABAL==\n"
    )
    with pytest.raises(ConfigError, match="guestbook:token is a secret"):
        find_project(project_copy).stack_config("s")


def test_invalid_yaml_in_a_stack_file_names_the_line(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.bad.yaml").write_text("config:\n  a: [1, 2\n")
    with pytest.raises(ConfigError, match=r"Pulumi\.bad\.yaml: line 3"):
        find_project(project_copy).stack_config("bad")
