"""The codebase stays ruff- and mypy-clean: checked with the tests so CI enforces it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from paths import REPO


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_would_change_nothing() -> None:
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def _runtime_imports(path: Path, package: str) -> set[str]:
    """The podfence modules a module imports when it is loaded (not for type checking only,
    not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith(package)}


def test_no_module_of_podfence_imports_itself_back_through_others() -> None:
    root = REPO / "components"
    modules = {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (root / "podfence").rglob("*.py")
    }
    graph = {
        name: {
            target
            for target in _runtime_imports(path, "podfence")
            if target in modules and target != name and not name.startswith(target + ".")
        }
        for name, path in modules.items()
    }
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif len(trail) < 40:
                visit(target, [*trail, target])

    for name in sorted(graph):
        visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(sorted(set(cycles))[:20])
