"""A Pulumi project on disk: Pulumi.yaml, its stack files and their config, read without the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from podfence.errors import ConfigError

__all__ = ["Project", "find_project"]


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where}: {problem}") from error


@dataclass(frozen=True)
class Project:
    """A Pulumi project: its directory, name, program and where its stack files are.

    Attributes:
        directory: the folder holding Pulumi.yaml.
        name: the project's name, the namespace of its config keys (``guestbook:firewall``).
        stack_config_dir: where Pulumi.<stack>.yaml live (``stackConfigDir``; default the project).
    """

    directory: Path
    name: str
    stack_config_dir: Path

    @property
    def program(self) -> Path:
        """The Python program Pulumi runs: __main__.py of the project (``main`` is not used)."""
        return self.directory / "__main__.py"

    def stacks(self) -> list[str]:
        """The stacks that have a stack file."""
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in self.stack_config_dir.glob("Pulumi.*.yaml")
        )

    def stack_file(self, stack: str) -> Path:
        """The stack's file; ConfigError naming the known stacks when it does not exist."""
        path = self.stack_config_dir / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            known = ", ".join(self.stacks()) or "none"
            raise ConfigError(f"no stack {stack!r}: {path} does not exist (stacks: {known})")
        return path

    def stack_config(self, stack: str) -> dict[str, Any]:
        """The stack's ``config:`` map, keys fully qualified (``project:key``), values as written.

        Raises:
            ConfigError: the file is missing or not a mapping, or a value is a secret (secrets
                cannot be decrypted offline).
        """
        path = self.stack_file(stack)
        document = _load_yaml(path) or {}
        if not isinstance(document, dict):
            raise ConfigError(f"{path}: a stack file is a mapping with a config: key")
        config = document.get("config") or {}
        if not isinstance(config, dict):
            raise ConfigError(f"{path}: config: must be a mapping of keys to values")
        out: dict[str, Any] = {}
        for key, value in config.items():
            full = key if ":" in str(key) else f"{self.name}:{key}"
            if isinstance(value, dict) and set(value) == {"secure"}:
                raise ConfigError(
                    f"{path}: config {full} is a secret; the offline commands cannot decrypt it"
                )
            out[full] = value
        return out

    def pulumi_config(self, stack: str) -> dict[str, str]:
        """The stack's config as the Pulumi runtime holds it: strings, objects as JSON."""
        out: dict[str, str] = {}
        for key, value in self.stack_config(stack).items():
            if isinstance(value, str):
                out[key] = value
            else:
                out[key] = json.dumps(value)
        return out


def find_project(start: Path | None = None) -> Project:
    """The project in ``start`` or the nearest folder above it with a Pulumi.yaml.

    Args:
        start: where to look; omitted, the current directory.

    Raises:
        ConfigError: no Pulumi.yaml found, or it is invalid.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "Pulumi.yaml"
        if candidate.is_file():
            break
    else:
        raise ConfigError(
            f"no Pulumi.yaml in {here} or above it: run inside the project or pass --project-dir"
        )
    document = _load_yaml(candidate)
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise ConfigError(f"{candidate}: a Pulumi.yaml needs a name")
    config_dir = folder / str(document.get("stackConfigDir") or ".")
    return Project(directory=folder, name=document["name"], stack_config_dir=config_dir)
