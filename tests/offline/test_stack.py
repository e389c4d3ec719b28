"""Every stack, rendered by running the real program under mocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_schema import assert_valid_manifest
from paths import STACKS
from podfence.config import FirewallConfig
from podfence.errors import ConfigError
from podfence.offline.project import find_project
from podfence.offline.recorder import record_program
from podfence.offline.stack import load_stack_inputs, render_stack, stack_firewall

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
