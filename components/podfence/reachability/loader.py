"""Reading Kubernetes objects from YAML/JSON files and directories (``kind: List`` flattened)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from podfence.errors import InputError
from podfence.reachability.fastyaml import load_all

__all__ = ["SUFFIXES", "Document", "flatten", "read_objects"]

#: The file names read from a directory.
SUFFIXES = (".yaml", ".yml", ".json")


class Document(dict[str, Any]):
    """A Kubernetes object as read from a file; ``origin`` names the file for error messages.

    It is a plain dict otherwise: it compares equal to one, and ``json.dumps``, ``copy.deepcopy``
    and PyYAML's dumpers (a representer is registered for it) treat it as one.

    Args:
        data: the object; empty when omitted.
        origin: the file it was read from; "" (unknown) when omitted.
    """

    __slots__ = ("origin",)

    def __init__(self, data: dict[str, Any] | None = None, origin: str = "") -> None:
        super().__init__(data or {})
        self.origin = origin


for _dumper in (
    yaml.SafeDumper,
    yaml.Dumper,
    getattr(yaml, "CSafeDumper", None),
    getattr(yaml, "CDumper", None),
):
    if _dumper is not None:
        _dumper.add_representer(Document, _dumper.represent_dict)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return [path]


def flatten(document: Any, origin: str, where: str = "") -> Iterable[Document]:
    """The objects in one parsed document: itself, or the items of a ``kind: List``/``XxxList``.

    Args:
        document: the parsed document; ``None`` (an empty document) yields nothing.
        origin: the file name, for errors and for :class:`Document.origin`.
        where: the document's position, for errors ("" for the first).

    Raises:
        InputError: a document or list item that is not a map.
    """
    if document is None:
        return
    if not isinstance(document, dict):
        raise InputError(
            f"{origin}{where}: expected a Kubernetes object (a map), got {type(document).__name__}"
        )
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in document:
        items = document.get("items") or []
        if not isinstance(items, list):
            raise InputError(f"{origin}{where}: {kind}.items: expected a list")
        for index, item in enumerate(items):
            yield from flatten(item, origin, f"{where} items[{index}]")
        return
    yield Document(document, origin)


def _parse(text: bytes, file: Path) -> list[Any]:
    if file.suffix.lower() == ".json":
        try:
            return [json.loads(text)]
        except ValueError as error:
            line = getattr(error, "lineno", None)
            where = f"{file}:{line}" if line else str(file)
            message = getattr(error, "msg", None) or str(error)
            raise InputError(f"{where}: invalid JSON: {message}") from error
    return load_all(text)


def read_objects(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Every Kubernetes object in ``paths``.

    Args:
        paths: files or directories; a directory is read recursively (``*.yaml``, ``*.yml``,
            ``*.json``, in sorted order). Files may hold several YAML documents; empty documents
            are skipped; ``kind: List`` and ``kind: XxxList`` are replaced by their items.

    Returns:
        The objects as dicts (:class:`Document`, which remembers its file), in file order.

    Raises:
        InputError: a missing path, unreadable file, or unparsable YAML (with the line).
    """
    objects: list[dict[str, Any]] = []
    for path in paths:
        for file in _files(Path(path)):
            try:
                text = file.read_bytes()
            except OSError as error:
                raise InputError(f"{file}: cannot read: {error.strerror or error}") from error
            try:
                documents = _parse(text, file)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
                problem = getattr(error, "problem", None) or str(error).splitlines()[0]
                context = getattr(error, "context", None)
                if context:  # "found duplicate anchor 'a'; first occurrence: second occurrence"
                    problem = f"{context}: {problem}"
                raise InputError(f"{where}: invalid YAML: {problem}") from error
            origin = str(file)
            for number, document in enumerate(documents):
                where = f" (document {number + 1})" if number else ""
                objects.extend(flatten(document, origin, where))
    return objects
