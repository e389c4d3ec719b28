"""podfence is typed for its users: mypy without plugins accepts code written as they write it.

Most projects that use podfence run mypy without pydantic's plugin. Then mypy reads each spec's
constructor from its fields (pydantic models are dataclass_transform-ed): tests/typecheck/consumer.py
calls every public constructor the way a user does (list literals, ``from_=``, the factories,
the components and the testing helpers) and must type-check under ``strict``, and runs as well;
tests/typecheck/misuse.py holds calls that must be refused, so a checker that saw ``Any`` fails.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

from paths import REPO
from podfence.spec import Flow, IpBlock

TYPECHECK = REPO / "tests" / "typecheck"
COMPONENTS = REPO / "components"
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")
_EXPECT = re.compile(r"# expect: (?P<code>[a-z-]+)$")


def _config(tmp_path: Path) -> Path:
    """A consumer's mypy config: strict, no plugin; podfence's own modules as strict as the
    project checks them (its untyped calls into Pulumi's SDK aside)."""
    ini = tmp_path / "mypy.ini"
    ini.write_text(
        "[mypy]\n"
        "python_version = 3.11\n"
        f"mypy_path = {COMPONENTS}\n"
        "strict = True\n"
        "[mypy-podfence.*]\n"
        "disallow_untyped_calls = False\n"
        "warn_return_any = False\n"
        "[mypy-pulumi_kubernetes.*]\n"
        "ignore_missing_imports = True\n",
        encoding="utf-8",
    )
    assert "plugins" not in ini.read_text(encoding="utf-8")
    return ini


def _mypy(tmp_path: Path, *targets: Path) -> list[tuple[str, int, str]]:
    """mypy's errors on ``targets``: (file name, line, code)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(_config(tmp_path)),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            *map(str, targets),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    errors = []
    for line in done.stdout.splitlines():
        found = _ERROR.match(line)
        assert found or ": note: " in line, f"unexpected mypy output: {line}"
        if found:
            errors.append((Path(found["file"]).name, int(found["line"]), found["code"]))
    return errors


def _expected(path: Path) -> list[tuple[str, int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        (path.name, number, found["code"])
        for number, line in enumerate(lines, start=1)
        if (found := _EXPECT.search(line))
    ]


def test_mypy_without_plugins_accepts_a_consumer_and_podfence_and_refuses_misuse(
    tmp_path: Path,
) -> None:
    errors = _mypy(
        tmp_path, TYPECHECK / "consumer.py", TYPECHECK / "misuse.py", COMPONENTS / "podfence"
    )
    expected = _expected(TYPECHECK / "misuse.py")
    assert len(expected) >= 5
    assert sorted(errors) == sorted(expected), (
        "mypy without the pydantic plugin should report exactly the misuse.py lines marked "
        f"'# expect:'; it reported {errors}"
    )


def _consumer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("podfence_consumer", TYPECHECK / "consumer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_consumer_runs_and_its_lists_are_kept_as_tuples() -> None:
    consumer = _consumer()
    specs = consumer.specs()
    config = consumer.firewall_config()
    assert isinstance(config.flows, tuple) and config.flows[0].from_ == "web"
    assert isinstance(config.tiers["web"].ports, tuple)
    assert isinstance(specs["selector"].match_expressions[0].values, tuple)
    listed = IpBlock(cidr="10.0.0.0/8", except_=["10.1.0.0/16"])
    assert hash(listed) == hash(IpBlock(cidr="10.0.0.0/8", except_=("10.1.0.0/16",)))
    captured = consumer.build_components()
    names = {f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in captured.policies}
    assert {"shop/allow-internet", "other/allow-a-to-b", "other/allow-office"} <= names
    consumer.check_flows(captured)


def test_the_config_keys_stay_from_and_except() -> None:
    flow = Flow(from_="web", to="api")
    assert Flow.model_validate({"from": "web", "to": "api"}) == flow
    assert flow.model_dump(by_alias=True) == {
        "from": "web",
        "to": "api",
        "ports": None,
        "name": None,
    }
    block = IpBlock(cidr="10.0.0.0/8", except_=["10.1.0.0/16"])
    assert IpBlock.model_validate({"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}) == block
    assert block.model_dump(by_alias=True, mode="json") == {
        "cidr": "10.0.0.0/8",
        "except": ["10.1.0.0/16"],
    }


def test_the_wheel_ships_py_typed() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["podfence"]
    assert (COMPONENTS / "podfence" / "py.typed").is_file()
