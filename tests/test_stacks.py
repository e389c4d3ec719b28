"""The stack files: every cluster-facing stack names its cluster; local renders instead."""

from __future__ import annotations

import pytest
import yaml
from paths import REPO, STACKS

STACK_DIR = REPO / "stacks"


def _config(stack: str) -> dict[str, object]:
    return yaml.safe_load((STACK_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))[
        "config"
    ]


@pytest.mark.parametrize("stack", [s for s in STACKS if s != "local"])
def test_every_cluster_facing_stack_names_its_kubeconfig_context(stack: str) -> None:
    context = _config(stack).get("kubernetes:context")
    assert isinstance(context, str) and context, (
        f"stacks/Pulumi.{stack}.yaml must set kubernetes:context: `pulumi up -s {stack}` must not "
        "deploy to whatever context is current"
    )
    assert context.startswith("CHANGE-ME-"), "a placeholder that no real context is called"


def test_the_local_stack_renders_yaml_and_needs_no_cluster() -> None:
    config = _config("local")
    assert config.get("kubernetes:renderYamlToDirectory") == "rendered/local"
    assert "kubernetes:context" not in config


def test_the_stacks_on_disk_are_the_ones_the_tests_know() -> None:
    on_disk = sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in STACK_DIR.glob("Pulumi.*.yaml")
    )
    assert on_disk == sorted(STACKS)
