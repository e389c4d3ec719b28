"""A stack as of another git revision: its tree extracted aside, rendered with its own code.

The revision's files come from ``git archive`` into a temporary directory that is removed on
every exit path: the working tree, the index and the repository's worktree list are never
touched. The stack is rendered there by the revision's own podfence (its ``components/``,
when it has one) in a child process, so that a change to the library shows in the diff too.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podfence.errors import ConfigError
from podfence.offline.project import Project, find_project

__all__ = ["Checkout", "checkout", "render_revision"]


@dataclass(frozen=True)
class Checkout:
    """A revision's files, extracted.

    Attributes:
        project: the Pulumi project in it.
        root: the top of the extracted tree (where ``components/`` would be).
        commit: the revision's commit, abbreviated.
    """

    project: Project
    root: Path
    commit: str


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, check=False
        )
    except FileNotFoundError:
        raise ConfigError("--base needs git, which is not installed") from None


@contextmanager
def checkout(project: Project, ref: str) -> Iterator[Checkout]:
    """The project as of git ``ref``, extracted into a temporary directory while in use.

    Raises:
        ConfigError: not in a git repository, an unknown ref, or no Pulumi.yaml at ``ref``.
    """
    top = _git(project.directory, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ConfigError(f"--base {ref}: {project.directory} is not inside a git repository")
    root = Path(top.stdout.decode().strip())
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise ConfigError(f"--base {ref!r} is not a commit of {root}")
    sha = commit.stdout.decode().strip()
    archive = _git(root, "archive", "--format=tar", sha)
    if archive.returncode != 0:  # pragma: no cover - git archive of a verified commit
        raise ConfigError(f"--base {ref}: git archive failed: {archive.stderr.decode().strip()}")
    relative = project.directory.resolve().relative_to(root.resolve())
    with tempfile.TemporaryDirectory(prefix="podfence-base-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(scratch, filter="data")
            else:  # pragma: no cover - Python 3.11 before 3.11.4; git archive holds no links out
                tar.extractall(scratch)
        directory = Path(scratch) / relative
        if not (directory / "Pulumi.yaml").is_file():
            raise ConfigError(f"--base {ref}: there is no Pulumi.yaml in {relative} at {ref}")
        yield Checkout(find_project(directory), Path(scratch), sha[:12])


def render_revision(base: Checkout, stack: str) -> list[dict[str, Any]]:
    """Every object the stack's program makes at the revision, in wire form.

    Rendered by ``podfence render`` in a child process, with the checkout's own library first
    on the path when it has one (``<root>/components/podfence``).

    Args:
        base: the extracted revision.
        stack: the stack; a stack without a file there yields no objects (it is new).

    Raises:
        ConfigError: the program fails at that revision (its one-line error).
    """
    import os

    import yaml

    project = base.project
    if stack not in project.stacks():
        return []
    env = dict(os.environ)
    library = base.root / "components"
    if (library / "podfence").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(library), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "podfence",
            "render",
            "--stack",
            stack,
            "--project-dir",
            str(project.directory),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no message)"]
        raise ConfigError(f"the stack {stack} does not render at the base revision: {lines[-1]}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]
