"""The Pulumi YAML program in examples/yaml-guestbook: the dev stack's firewall, through the
component provider, valid against the schema the provider derives (no Pulumi CLI needed)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import yaml
from paths import REPO
from podfence.config import FirewallConfig
from podfence.offline.project import find_project
from podfence.offline.recorder import RecordedResource, record_program
from podfence.provider import analyze
from provider_wire import construct
from pulumi_schema import input_problems

EXAMPLE = REPO / "examples" / "yaml-guestbook"
FIREWALL = "podfence:index:Firewall"


@pytest.fixture(scope="module")
def program() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text(encoding="utf-8"))
    return loaded


def _firewall(program: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = [(n, r) for n, r in program["resources"].items() if r["type"] == FIREWALL]
    assert len(found) == 1, f"one {FIREWALL} expected, found {len(found)}"
    name, resource = found[0]
    properties: dict[str, Any] = resource["properties"]
    return name, properties


def _dev_firewall() -> dict[str, Any]:
    config = find_project(REPO).pulumi_config("dev")
    firewall: dict[str, Any] = json.loads(config["guestbook:firewall"])
    return firewall


def _settled(resources: list[RecordedResource]) -> list[RecordedResource]:
    return [dataclasses.replace(r, dependencies=tuple(sorted(r.dependencies))) for r in resources]


def test_the_program_is_yaml_and_uses_this_repositorys_provider(program: dict[str, Any]) -> None:
    assert program["runtime"] == "yaml"
    plugin = (EXAMPLE / program["packages"]["podfence"]).resolve()
    assert plugin == REPO / "provider"
    assert (plugin / "PulumiPlugin.yaml").is_file()


def test_every_property_is_an_input_of_the_derived_schema_of_the_right_type(
    program: dict[str, Any],
) -> None:
    schema = json.loads(analyze().schema)
    _, properties = _firewall(program)
    assert input_problems(properties, FIREWALL, schema) == []
    outputs = schema["resources"][FIREWALL]["properties"]
    for value in program["outputs"].values():
        attribute = value.removeprefix("${").removesuffix("}").split(".", 1)[1]
        assert attribute in outputs, f"{value}: the Firewall has no output {attribute}"


def test_its_firewall_makes_the_dev_stacks_policies(program: dict[str, Any]) -> None:
    _, properties = _firewall(program)
    made = FirewallConfig.parse(properties).manifests()
    assert made == FirewallConfig.parse(_dev_firewall()).manifests()
    assert len(made) == 6


def test_the_provider_registers_what_the_dev_stacks_program_registers(
    program: dict[str, Any], repo: Any
) -> None:
    name, properties = _firewall(program)
    project = find_project(repo)
    expected = record_program(project.program, project.name, "dev", project.pulumi_config("dev"))
    made = construct("Firewall", properties, name=name, project=project.name, stack="dev")
    assert _settled(made) == _settled(expected)


def test_the_readme_says_how_to_run_it_and_that_it_was_not_run_here() -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    for step in ("pulumi package add ../../provider", "pulumi up", "kubernetes:context"):
        assert step in readme, f"the README does not mention {step}"


def test_a_misspelt_or_mistyped_property_would_be_reported(program: dict[str, Any]) -> None:
    schema = json.loads(analyze().schema)
    _, properties = _firewall(program)
    wrong = {
        **properties,
        "createNamespace": True,
        "tiers": {"ui": {"podLabels": {}, "ports": [80]}},
    }
    assert sorted(input_problems(wrong, FIREWALL, schema)) == [
        "createNamespace: no such property (known: namespace, defaultDeny, tiers, flows, "
        "ingressController, namespaceAllows, ipBlockAllows, createNamespaces)",
        "tiers.ui.ports[0]: 80 is not an object",
    ]
