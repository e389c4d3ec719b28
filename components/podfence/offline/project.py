"""A Pulumi project on disk: Pulumi.yaml, its stack files and their config, read without the CLI."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from podfence.errors import ConfigError

__all__ = ["SECRET_PLACEHOLDER", "Project", "find_project", "is_secure", "load_yaml"]

#: What the program sees, under mocks, in place of a ``secure:`` value: clearly not a real
#: kubeconfig, token or password, and marked secret (``Config.get_secret`` wraps it as one).
SECRET_PLACEHOLDER = "[secret: encrypted in the stack file, not decrypted offline]"


def is_secure(value: Any) -> bool:
    """Whether ``value`` is an encrypted config value as a stack file holds it: ``{secure: <text>}``.

    The same rule as Pulumi's: a mapping whose only key is ``secure`` with a string in it (so a
    firewall tier that happens to be named ``secure`` is not mistaken for one).
    """
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _secure_paths(value: Any, path: str = "") -> list[str]:
    """Where ``value`` holds secure values: ``""`` for the value itself, else dotted paths."""
    if is_secure(value):
        return [path]
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _secure_paths(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _secure_paths(item, f"{path}[{index}]")
        ]
    return []


def _opaque(value: Any) -> Any:
    """``value`` with every secure value in it replaced by :data:`SECRET_PLACEHOLDER`."""
    if is_secure(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {key: _opaque(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_opaque(item) for item in value]
    return value


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping.

    YAML forbids it, but PyYAML keeps the last value silently (a second ``tiers:`` would drop
    the first's tiers); Pulumi refuses such a stack file too. Keys a merge (``<<: *base``)
    brings in may be overridden, as YAML means.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = lines.get(key)
            except TypeError:  # an unhashable key: construct_mapping says so below
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    problem=(
                        f"duplicate key {key!r} (first on line {first}): YAML keeps only the "
                        "last one; merge them or remove one"
                    ),
                    problem_mark=key_node.start_mark,
                )
            lines[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path, what: str = "") -> Any:
    """The YAML document in ``path``, refusing a mapping key given twice.

    Args:
        path: the file.
        what: what the file is, for the error when it cannot be read (``expectations``).

    Raises:
        ConfigError: the file cannot be read or is not YAML (one line with the file and line).
    """
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OSError as error:
        reason = f"cannot read {what}".rstrip()
        raise ConfigError(f"{path}: {reason}: {error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where} {problem}") from error


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

        Encrypted values (``secure: ...``) are returned as written: opaque, since they cannot be
        decrypted without the stack's secrets provider. Only the firewall object itself
        (``<project>:firewall``) must be plain text, since the offline commands evaluate it.

        Raises:
            ConfigError: the file is missing or not a mapping, or the firewall object is or
                contains an encrypted value (one line naming the key).
        """
        from podfence.config import CONFIG_KEY

        path = self.stack_file(stack)
        document = load_yaml(path) or {}
        if not isinstance(document, dict):
            raise ConfigError(f"{path}: a stack file is a mapping with a config: key")
        if "config" not in document:
            near = difflib.get_close_matches("config", [str(k) for k in document], n=1)
            if near:
                raise ConfigError(f"{path}: unknown key {near[0]!r}; did you mean config?")
        config = document.get("config") or {}
        if not isinstance(config, dict):
            raise ConfigError(f"{path}: config: must be a mapping of keys to values")
        firewall = f"{self.name}:{CONFIG_KEY}"
        out: dict[str, Any] = {}
        for key, value in config.items():
            full = key if ":" in str(key) else f"{self.name}:{key}"
            if full == firewall and (where := _secure_paths(value)):
                named = full + ("." if where[0][:1] not in ("", "[") else "") + where[0]
                raise ConfigError(
                    f"{path}: config {named} is encrypted (secure:); podfence's offline commands "
                    "cannot decrypt it: keep the firewall object in plain text"
                )
            out[full] = value
        return out

    def pulumi_config(self, stack: str) -> dict[str, str]:
        """The stack's config as the Pulumi runtime holds it: strings, objects as JSON.

        Encrypted values are passed as :data:`SECRET_PLACEHOLDER` (inside an object, in place of
        each encrypted part), and their keys are listed by :meth:`secret_keys`.
        """
        out: dict[str, str] = {}
        for key, value in self.stack_config(stack).items():
            plain = _opaque(value)
            out[key] = plain if isinstance(plain, str) else json.dumps(plain)
        return out

    def secret_keys(self, stack: str) -> list[str]:
        """The config keys that are, or contain, encrypted values: secret to the runtime, as
        ``pulumi up`` treats them (``Config.get_secret`` and friends wrap them as secrets)."""
        return sorted(
            key for key, value in self.stack_config(stack).items() if _secure_paths(value)
        )


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
    document = load_yaml(candidate)
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise ConfigError(f"{candidate}: a Pulumi.yaml needs a name")
    config_dir = folder / str(document.get("stackConfigDir") or ".")
    return Project(directory=folder, name=document["name"], stack_config_dir=config_dir)
