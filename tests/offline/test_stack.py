"""Every stack, rendered by running the real program under mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from k8s_schema import assert_valid_manifest
from paths import STACKS
from podfence.config import FirewallConfig
from podfence.errors import ConfigError
from podfence.offline.project import find_project
from podfence.offline.recorder import RecordedResource, record_program
from podfence.offline.stack import (
    NETWORK_POLICY,
    bulk_import,
    import_file,
    load_stack_inputs,
    record_stack,
    render_stack,
    stack_firewall,
)

BLOG_POLICIES = {
    "deny-all",
    "allow-ui-to-api",
    "allow-api-to-db",
    "allow-monitoring-namespace",
    "allow-using-ip",
    "allow-ingress-controller",
}


def _by_name(manifests: list[dict]) -> dict[str, dict]:
    return {m["metadata"]["name"]: m for m in manifests}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_renders_schema_valid_policies_with_namespace_and_policy_types(
    repo: Path, stack: str
) -> None:
    manifests = render_stack(stack, repo)
    assert manifests
    for manifest in manifests:
        assert_valid_manifest(manifest)
        assert manifest["metadata"]["namespace"] == "guestbook"
        assert manifest["spec"]["policyTypes"] in (["Ingress"], ["Egress"], ["Ingress", "Egress"])


@pytest.mark.parametrize("stack", STACKS)
def test_what_the_program_creates_is_what_the_config_builds(repo: Path, stack: str) -> None:
    project = find_project(repo)
    key = f"{project.name}:firewall"
    config = FirewallConfig.parse(project.stack_config(stack)[key], root="firewall")
    assert render_stack(stack, repo) == sorted(
        config.manifests(), key=lambda m: (m["metadata"]["namespace"], m["metadata"]["name"])
    )


@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_is_a_child_of_a_podfence_component(repo: Path, stack: str) -> None:
    project = find_project(repo)
    resources = record_program(project.program, project.name, stack, project.pulumi_config(stack))
    for resource in resources:
        if resource.custom:
            assert "podfence:index:" in resource.urn, f"{resource.urn} has no podfence parent"


def test_dev_is_the_blog_exactly_plus_the_ingress_controller(repo: Path) -> None:
    policies = _by_name(render_stack("dev", repo))
    assert set(policies) == BLOG_POLICIES
    assert policies["deny-all"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert policies["allow-ui-to-api"]["spec"] == {
        "podSelector": {"matchLabels": {"app": "guestbook-api", "tier": "backend"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {"podSelector": {"matchLabels": {"app": "guestbook-ui", "tier": "frontend"}}}
                ],
                "ports": [{"protocol": "TCP", "port": 8080}],
            }
        ],
    }
    assert policies["allow-api-to-db"]["spec"]["podSelector"] == {
        "matchLabels": {"app": "guestbook-db", "tier": "db"}
    }
    assert policies["allow-api-to-db"]["spec"]["ingress"][0]["ports"] == [
        {"protocol": "TCP", "port": 6379}
    ]
    assert policies["allow-monitoring-namespace"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "monitoring"}}}]}],
    }
    assert policies["allow-using-ip"]["spec"]["ingress"] == [
        {"from": [{"ipBlock": {"cidr": "10.72.0.0/16", "except": ["10.72.10.0/24"]}}]}
    ]
    assert policies["allow-ingress-controller"]["spec"] == {
        "podSelector": {"matchLabels": {"app": "guestbook-ui", "tier": "frontend"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                        }
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 80}],
            }
        ],
    }


def test_local_renders_the_same_policies_as_dev(repo: Path) -> None:
    assert render_stack("local", repo) == render_stack("dev", repo)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_prod_denies_egress_keeps_dns_and_allows_exactly_the_flows_egress(
    repo: Path, stack: str
) -> None:
    policies = _by_name(render_stack(stack, repo))
    assert set(policies) == BLOG_POLICIES | {
        "allow-dns-egress",
        "allow-ui-to-api-egress",
        "allow-api-to-db-egress",
    }
    assert policies["deny-all"]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policies["allow-ui-to-api-egress"]["spec"] == {
        "podSelector": {"matchLabels": {"app": "guestbook-ui", "tier": "frontend"}},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {"podSelector": {"matchLabels": {"app": "guestbook-api", "tier": "backend"}}}
                ],
                "ports": [{"protocol": "TCP", "port": 8080}],
            }
        ],
    }
    dns = policies["allow-dns-egress"]["spec"]["egress"][0]
    assert dns["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def _write_firewall(project: Path, stack: str, mutate: object) -> None:
    import yaml

    source = yaml.safe_load((project / "stacks" / "Pulumi.dev.yaml").read_text())
    firewall = source["config"]["guestbook:firewall"]
    mutate(firewall)  # type: ignore[operator]
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(source))


def test_the_blogs_literal_ip_block_is_rejected_by_the_program_with_the_fix(
    project_copy: Path,
) -> None:
    def blog_ip_block(firewall: dict) -> None:
        firewall["ipBlockAllows"][0]["ipBlocks"] = [
            {"cidr": "10.72.0.0/16", "except": "10.72.10.0/8"}
        ]

    _write_firewall(project_copy, "blog", blog_ip_block)
    with pytest.raises(ConfigError) as raised:
        render_stack("blog", project_copy)
    assert str(raised.value).endswith(
        "Pulumi.blog.yaml: firewall.ipBlockAllows[0].ipBlocks[0].except: except '10.72.10.0/8' "
        "must be a list of CIDRs, not a single string, and 10.72.10.0/8 does not lie inside cidr "
        "10.72.0.0/16 (a /8 is larger than the /16 it should carve from); "
        'did you mean except: ["10.72.10.0/24"]?'
    )


def test_a_program_error_leaves_pulumi_ready_for_the_next_run(project_copy: Path) -> None:
    _write_firewall(project_copy, "broken", lambda f: f.update(tiers={}))
    with pytest.raises(ConfigError, match=r"firewall\.tiers: .*define at least one tier"):
        render_stack("broken", project_copy)
    assert len(render_stack("dev", project_copy)) == len(BLOG_POLICIES)


def test_stack_inputs_are_the_policies_plus_the_derived_inventory(repo: Path) -> None:
    inputs = load_stack_inputs("dev", repo)
    kinds = [o["kind"] for o in inputs.objects]
    assert kinds.count("NetworkPolicy") == len(BLOG_POLICIES)
    assert {"Namespace", "Pod"} <= set(kinds)
    assert inputs.externals == ["10.72.0.1", "10.72.10.1", "10.73.0.1"]


def test_stack_inputs_say_what_each_endpoint_stands_for_in_the_firewall(repo: Path) -> None:
    inputs = load_stack_inputs("dev", repo)
    assert inputs.tiers == ["guestbook/ui", "guestbook/api", "guestbook/db"]
    assert inputs.nodes == {
        "guestbook/ui": "guestbook/ui",
        "guestbook/api": "guestbook/api",
        "guestbook/db": "guestbook/db",
        "ingress-nginx/controller": "ingress controller ingress-nginx",
        "monitoring/client": "namespaces team=monitoring",
        "10.72.0.1": "10.72.0.0/16 except 10.72.10.0/24",
    }, "the outsider and the addresses in the exception and outside stand for nothing"


def test_a_given_inventory_replaces_the_derived_one(repo: Path) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "guestbook"}}
    inputs = load_stack_inputs("dev", repo, inventory=[pod])
    assert inputs.objects[-1] == pod
    assert [o["kind"] for o in inputs.objects].count("Pod") == 1
    assert inputs.externals == []
    assert inputs.nodes == {"guestbook/x": "guestbook/x"}
    assert inputs.tiers is None


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_the_recorder_restores_integers_that_the_mocks_turn_into_floats(repo: Path) -> None:
    leaves = _leaves(render_stack("prod", repo))
    assert 8080 in leaves and 53 in leaves
    assert not [leaf for leaf in leaves if isinstance(leaf, float)]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("guestbook:firewal", "it has guestbook:firewal: did you mean guestbook:firewall?"),
        (
            "shop:firewall",
            "it has shop:firewall, but this project is 'guestbook' (the name in Pulumi.yaml): "
            "rename the key to guestbook:firewall",
        ),
    ],
)
def test_a_misspelt_firewall_key_is_named_with_the_one_expected(
    project_copy: Path, key: str, message: str
) -> None:
    stacks = project_copy / "stacks"
    dev = (stacks / "Pulumi.dev.yaml").read_text()
    (stacks / "Pulumi.typo.yaml").write_text(dev.replace("guestbook:firewall:", f"{key}:"))
    with pytest.raises(ConfigError) as raised:
        render_stack("typo", project_copy)
    assert str(raised.value) == (
        f"{stacks / 'Pulumi.typo.yaml'}: no guestbook:firewall in the stack's config; {message}"
    )
    with pytest.raises(ConfigError) as raised:
        stack_firewall(find_project(project_copy), "typo")
    assert str(raised.value) == (
        f"{stacks / 'Pulumi.typo.yaml'}: no guestbook:firewall in the stack's config; {message}"
    )


# -- the import file of a program that makes more than NetworkPolicies ---------------------------

BANP = "kubernetes:policy.networking.k8s.io/v1alpha1:BaselineAdminNetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"


@pytest.fixture
def platform_project(project_copy: Path) -> Path:
    """The guestbook program plus a ClusterBaseline; stack `platform` creates the namespace."""
    program = project_copy / "__main__.py"
    program.write_text(
        program.read_text(encoding="utf-8")
        + "\nfrom podfence.components import ClusterBaseline\n\n"
        + 'ClusterBaseline("platform", {"egress": True})\n',
        encoding="utf-8",
    )
    _write_firewall(project_copy, "platform", lambda f: f.update(createNamespaces=True))
    return project_copy


def test_the_import_file_carries_every_object_the_program_makes_by_its_type_and_id(
    platform_project: Path,
) -> None:
    entries = import_file("platform", platform_project)["resources"]
    components = [e for e in entries if e.get("component")]
    assert components == [
        {"type": "podfence:index:ClusterBaseline", "name": "platform", "component": True},
        {"type": "podfence:index:Firewall", "name": "guestbook", "component": True},
    ]
    objects = {e["id"]: e for e in entries if "id" in e}
    assert objects["default"] == {
        "type": BANP,
        "name": "platform-default",
        "id": "default",  # cluster-scoped: the name alone
        "parent": "platform",
    }
    assert objects["guestbook"] == {
        "type": NAMESPACE,
        "name": "guestbook-guestbook",
        "id": "guestbook",
        "parent": "guestbook",
    }
    policies = {i for i, e in objects.items() if e["type"] == NETWORK_POLICY}
    assert policies == {f"guestbook/{name}" for name in BLOG_POLICIES}
    rendered = render_stack("platform", platform_project)
    assert len(objects) == len(rendered) == len(BLOG_POLICIES) + 2, "what render prints"


def test_the_import_file_names_the_urns_the_program_registers(platform_project: Path) -> None:
    entries = import_file("platform", platform_project)["resources"]
    by_name = {e["name"]: e for e in entries}

    def qualified(entry: dict[str, Any]) -> str:
        parent = entry.get("parent")
        return (f"{qualified(by_name[parent])}$" if parent else "") + entry["type"]

    _, resources = record_stack("platform", platform_project)
    registered = {r.urn.replace("::pulumi:pulumi:Stack$", "::") for r in resources}
    urns = {f"urn:pulumi:platform::guestbook::{qualified(e)}::{e['name']}" for e in entries}
    assert urns <= registered
    assert len(urns) == len(entries)


def test_a_namespace_the_program_only_reads_is_not_imported(repo: Path) -> None:
    entries = import_file("dev", repo)["resources"]
    _, resources = record_stack("dev", repo)
    assert any(r.type == NAMESPACE for r in resources), "the dev firewall reads its namespace"
    assert NAMESPACE not in {e["type"] for e in entries}


def _object(kind: str, api_version: str, **metadata: str) -> RecordedResource:
    type_ = f"kubernetes:{api_version if '/' in api_version else 'core/' + api_version}:{kind}"
    inputs = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    urn = f"urn:pulumi:dev::p::pulumi:pulumi:Stack${type_}::obj"
    return RecordedResource(type_, "obj", urn, inputs, True)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (
            _object("Widget", "example.com/v1", name="w"),
            "--import-file: obj (Widget) is namespaced and has no metadata.namespace, so its ID "
            "depends on the provider's default namespace; set metadata.namespace",
        ),
        (
            _object("ClusterRole", "rbac.authorization.k8s.io/v1"),
            "--import-file: obj (ClusterRole) has no metadata.name to import it by",
        ),
    ],
    ids=["a namespaced object without a namespace", "an object without a name"],
)
def test_an_object_whose_id_cannot_be_told_is_one_clear_error(
    obj: RecordedResource, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        bulk_import([obj])
    assert str(raised.value) == message


def test_objects_of_another_provider_and_components_alone_are_left_out() -> None:
    random = RecordedResource(
        "random:index:RandomId", "r", "urn:pulumi:dev::p::random:index:RandomId::r", {}, True
    )
    role = _object("ClusterRole", "rbac.authorization.k8s.io/v1", name="reader")
    assert bulk_import([random, role]) == {
        "resources": [
            {
                "type": "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                "name": "obj",
                "id": "reader",
            }
        ]
    }
