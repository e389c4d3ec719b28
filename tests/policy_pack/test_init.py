"""The pack: policy/ constructs exactly the policies podfence.policy_pack exports, and the
guestbook's stacks and the shop example are clean under every one of them."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import tomllib

import podfence.policy_pack
import pytest
import yaml
from paths import REPO
from podfence.offline.recorder import RecordedResource
from podfence.policy_pack import PACK_NAME, POLICIES
from podfence.policy_pack.default_deny import DefaultDenyConfig
from podfence.policy_pack.dns_egress import DnsConfig
from podfence.policy_pack.expectations import ExpectationsConfig
from podfence.policy_pack.internet_ingress import InternetIngressConfig
from podfence.spec.base import Spec
from policy_pack.harness import stack, violations
from pulumi_policy import Policy
from pulumi_policy.policy import _NotApplicableError

PACK = REPO / "policy"


def test_policies_holds_the_policy_of_every_module_once_under_a_unique_name() -> None:
    modules = [
        importlib.import_module(f"podfence.policy_pack.{info.name}")
        for info in pkgutil.iter_modules(podfence.policy_pack.__path__)
    ]
    defined = [module.POLICY for module in modules if hasattr(module, "POLICY")]
    assert len(defined) == 6
    assert sorted(p.name for p in POLICIES) == sorted(p.name for p in defined)
    assert all(any(p is q for q in POLICIES) for p in defined)
    assert all(isinstance(p, Policy) and p.enforcement_level is None for p in POLICIES)


def test_the_packs_program_only_constructs_the_pack_of_those_policies_as_mandatory() -> None:
    tree = ast.parse((PACK / "__main__.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(tree)
    body = [n for n in tree.body[1:] if not isinstance(n, ast.Import | ast.ImportFrom)]
    [statement] = body
    assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    call = statement.value
    assert ast.unparse(call.func) == "PolicyPack"
    assert {k.arg: ast.unparse(k.value) for k in call.keywords} == {
        "name": "PACK_NAME",
        "policies": "list(POLICIES)",
        "enforcement_level": "EnforcementLevel.MANDATORY",
    }
    imports = {
        (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("podfence.policy_pack", "POLICIES") in imports
    assert ("podfence.policy_pack", "PACK_NAME") in imports
    assert PACK_NAME == "podfence"


def test_the_pack_is_a_python_pack_with_its_own_virtualenv_and_its_requirements() -> None:
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    assert project["description"]
    lines = [
        line
        for line in (PACK / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    [pinned] = [
        r
        for r in pyproject["project"]["optional-dependencies"]["test"]
        if r.startswith("pulumi-policy")
    ]
    assert lines == [pinned, "-e .."]


@pytest.mark.parametrize(
    ("policy", "model"),
    [
        ("no-ingress-from-anywhere", InternetIngressConfig),
        ("namespaces-have-default-deny", DefaultDenyConfig),
        ("egress-deny-keeps-dns", DnsConfig),
        ("stack-expectations-hold", ExpectationsConfig),
    ],
)
def test_each_config_schema_names_exactly_the_keys_its_policy_reads(
    policy: str, model: type[Spec]
) -> None:
    [found] = [p for p in POLICIES if p.name == policy]
    assert found.config_schema is not None
    keys = {info.alias or name for name, info in model.model_fields.items()}
    assert set(found.config_schema.properties) == keys


def test_policies_without_a_config_schema_take_no_config() -> None:
    configured = {
        "no-ingress-from-anywhere",
        "namespaces-have-default-deny",
        "egress-deny-keeps-dns",
        "stack-expectations-hold",
    }
    assert {p.name for p in POLICIES if p.config_schema is not None} == configured


def test_importing_podfence_never_loads_pulumi_policy() -> None:
    code = (
        "import sys, podfence, podfence.components, podfence.testing, podfence.cli\n"
        "from podfence.testing import run_program, assert_matrix\n"
        "assert 'pulumi_policy' not in sys.modules, 'pulumi_policy was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_guestbooks_stacks_and_the_shop_are_clean_under_the_whole_pack(
    guestbook: dict[str, list[RecordedResource]],
    shop: list[RecordedResource],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(PACK)
    programs = {("guestbook", name): resources for name, resources in guestbook.items()}
    programs[("shop", "dev")] = shop
    for (project, name), resources in programs.items():
        with stack(project, name):
            for policy in POLICIES:
                try:
                    found = violations(policy, resources)
                except _NotApplicableError as error:  # the shop has no expectations file
                    assert (project, policy.name) == ("shop", "stack-expectations-hold"), error
                    continue
                assert found == [], (project, name, policy.name)
