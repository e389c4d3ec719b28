"""The package schema the provider derives from the components, analysed offline: every
component, its inputs and outputs, and a description for each; pinned in a golden file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import podfence
import pytest
import yaml
from golden import assert_golden
from paths import REPO, STACKS
from podfence import provider
from podfence.offline.project import find_project
from podfence.provider import analyze, host, serve
from pulumi_schema import input_problems

TOKENS = {
    "podfence:index:Firewall": ["namespace", "tiers"],
    "podfence:index:DefaultDeny": ["namespaces"],
    "podfence:index:TierFirewall": ["namespace", "tiers"],
    "podfence:index:NamespaceAllow": ["name", "namespaces"],
    "podfence:index:IpBlockAllow": ["name", "namespaces"],
    "podfence:index:ClusterBaseline": [],
}
#: Each component's outputs: the policies' namespace/name; the baseline's one cluster-wide name.
OUTPUTS = {token: {"policyNames": "array"} for token in TOKENS} | {
    "podfence:index:ClusterBaseline": {"policyName": "string"}
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    derived: dict[str, Any] = json.loads(analyze().schema)
    return derived


def test_analysing_derives_the_schema_without_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("analysing must not start a server")

    monkeypatch.setattr(host, "main", refuse)
    monkeypatch.setattr("grpc.aio.server", refuse)
    assert json.loads(analyze().schema)["name"] == "podfence"


def test_serving_hosts_the_analysed_provider_with_the_engines_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[tuple[Any, list[str]]] = []
    monkeypatch.setattr(host, "main", lambda p, args: served.append((p, args)))
    monkeypatch.setattr("sys.argv", ["provider", "127.0.0.1:4242", "--logtostderr"])
    serve()
    ((served_provider, args),) = served
    assert isinstance(served_provider, host.PodfenceProvider)
    assert served_provider.schema == analyze().schema
    assert args == ["127.0.0.1:4242", "--logtostderr"]


def test_the_schema_is_the_package_podfence_at_podfences_version(schema: dict[str, Any]) -> None:
    assert schema["name"] == provider.NAME == "podfence"
    assert schema["version"] == podfence.__version__
    assert schema["dependencies"] == []


def test_every_component_is_a_resource_with_its_required_inputs_and_its_policy_names(
    schema: dict[str, Any],
) -> None:
    assert set(schema["resources"]) == set(TOKENS)
    for token, required in TOKENS.items():
        resource = schema["resources"][token]
        assert resource["isComponent"] is True, token
        assert resource["requiredInputs"] == required, token
        outputs = {key: prop["type"] for key, prop in resource["properties"].items()}
        assert outputs == OUTPUTS[token], token
        assert resource["required"] == list(OUTPUTS[token]), token
        for prop in resource["properties"].values():
            assert prop.get("items", {"type": "string"})["type"] == "string", token


def _descriptions(schema: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    for token, resource in schema["resources"].items():
        yield token, resource.get("description")
        for section in ("inputProperties", "properties"):
            for key, prop in resource[section].items():
                yield f"{token}.{section}.{key}", prop.get("description")
    for token, declared in schema["types"].items():
        yield token, declared.get("description")
        for key, prop in declared.get("properties", {}).items():
            yield f"{token}.{key}", prop.get("description")
        for value in declared.get("enum", []):
            yield f"{token}.{value['name']}", value.get("description")


def test_every_resource_type_property_and_enum_value_is_described(schema: dict[str, Any]) -> None:
    found = list(_descriptions(schema))
    assert len(found) > 100
    for where, description in found:
        assert description and description.strip(), f"{where} has no description"
        assert "\n " not in description, f"{where}: an indented line is code in Markdown"


def test_the_schemas_input_names_are_the_keys_every_stack_file_writes(
    schema: dict[str, Any],
) -> None:
    project = find_project(REPO)
    for stack in STACKS:
        firewall = json.loads(project.pulumi_config(stack)["guestbook:firewall"])
        assert input_problems(firewall, "podfence:index:Firewall", schema, types=False) == []


def test_the_schema_is_pinned(schema: dict[str, Any]) -> None:
    pinned = {key: value for key, value in schema.items() if key != "version"}
    assert_golden("provider-schema.json", json.dumps(pinned, indent=2, sort_keys=True) + "\n")


def test_the_plugin_folder_runs_the_provider_from_this_repository() -> None:
    plugin = REPO / "provider"
    manifest = yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"]["name"] == "python"
    main = (plugin / "__main__.py").read_text(encoding="utf-8")
    assert 'if __name__ == "__main__":\n    serve()' in main
    assert "from podfence.provider import serve" in main
    requirements = [
        line.strip()
        for line in (plugin / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requirements == ["-e .."]
    assert 'name = "podfence"' in (plugin / ".." / "pyproject.toml").read_text(encoding="utf-8")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def test_the_plugin_readmes_table_is_the_schemas(schema: dict[str, Any]) -> None:
    readme = (REPO / "provider" / "README.md").read_text(encoding="utf-8")
    rows = [_cells(line) for line in readme.splitlines() if line.startswith("| `podfence:")]
    table = {
        row[0].strip("`"): [
            [name.strip("` ") for name in cell.split(",") if name.strip()] for cell in row[1:]
        ]
        for row in rows
    }
    assert set(table) == set(schema["resources"])
    for token, (required, optional, outputs) in table.items():
        resource = schema["resources"][token]
        assert sorted(required) == resource["requiredInputs"], token
        assert sorted(required + optional) == sorted(resource["inputProperties"]), token
        assert outputs == list(resource["properties"]), token
