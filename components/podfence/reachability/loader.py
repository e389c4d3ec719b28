"""Reading Kubernetes objects from YAML/JSON files and directories (``kind: List`` flattened)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from podfence.errors import InputError
from podfence.reachability.context import short, short_key
from podfence.reachability.fastyaml import MAX_OBJECT_BYTES, TooLarge, is_list, load_all

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
        position: where in the file: ``document 2``, ``document 1 items[3]``; "" (unknown) when
            omitted.
    """

    __slots__ = ("origin", "position")

    def __init__(
        self, data: dict[str, Any] | None = None, origin: str = "", position: str = ""
    ) -> None:
        super().__init__(data or {})
        self.origin = origin
        self.position = position


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
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        if not found:
            raise InputError(
                f"{path}: no Kubernetes object: the directory has no *.yaml, *.yml or *.json file"
            )
        return found
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return [path]


def flatten(document: Any, origin: str, where: str = "", number: int = 1) -> Iterable[Document]:
    """The objects in one parsed document: itself, or the items of a ``kind: List``/``XxxList``.

    Args:
        document: the parsed document; ``None`` (an empty document) yields nothing.
        origin: the file name, for errors and for :class:`Document.origin`.
        where: the document's position, for errors ("" for the first).
        number: the document's number in the file (1 for the first), for
            :class:`Document.position`.

    Raises:
        InputError: a document or list item that is not a map; ``items`` that is not a list.
    """
    yield from _flatten(document, origin, where, f"document {number}")


def _flatten(document: Any, origin: str, where: str, position: str) -> Iterable[Document]:
    if document is None:
        return
    if not isinstance(document, dict):
        raise InputError(
            f"{origin}{where}: expected a Kubernetes object (a map), got {type(document).__name__}"
        )
    if is_list(document):
        kind = document["kind"]
        items = document.get("items")
        if items is None:  # a List with no items (kubectl writes `items: []`) holds nothing
            return
        if not isinstance(items, list):
            raise InputError(
                f"{origin}{where}: {short_key(kind)}.items: expected a list, got {short(items)}"
            )
        for index, item in enumerate(items):
            yield from _flatten(
                item, origin, f"{where} items[{index}]", f"{position} items[{index}]"
            )
        return
    yield Document(document, origin, position)


def _json_error(error: ValueError, file: Path) -> InputError:
    line = getattr(error, "lineno", None)
    where = f"{file}:{line}" if line else str(file)
    message = getattr(error, "msg", None) or str(error)
    return InputError(f"{where}: invalid JSON: {message}")


_WHITESPACE = json.decoder.WHITESPACE  # type: ignore[attr-defined]
_DECODER = json.JSONDecoder()


def _skip(text: str, index: int) -> int:
    return int(_WHITESPACE.match(text, index).end())


def _json_map(text: str, index: int) -> tuple[dict[str, Any], int, list[tuple[int, int]]]:
    """The JSON object at ``text[index]`` (a ``{``), with the span of each entry of its
    ``items`` array: what ``json.loads`` builds, read one member at a time."""
    result: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        return result, index + 1, spans
    while True:
        if not text.startswith('"', index):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, index
            )
        key, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        index = _skip(text, index + 1)
        if key == "items" and text.startswith("[", index):
            result[key], index, spans = _json_items(text, index)
        else:
            result[key], index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if text.startswith("}", index):
            return result, index + 1, spans
        if not text.startswith(",", index):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _json_items(text: str, index: int) -> tuple[list[Any], int, list[tuple[int, int]]]:
    items: list[Any] = []
    spans: list[tuple[int, int]] = []
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return items, index + 1, spans
    while True:
        item, end = _DECODER.raw_decode(text, index)
        items.append(item)
        spans.append((index, end))
        index = _skip(text, end)
        if text.startswith("]", index):
            return items, index + 1, spans
        if not text.startswith(",", index):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _utf8_size(text: str, start: int, end: int) -> int:
    if (end - start) * 4 <= MAX_OBJECT_BYTES:
        return end - start
    return len(text[start:end].encode("utf-8", errors="surrogatepass"))


def _too_large(what: str, size: int, text: str, index: int) -> TooLarge:
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return TooLarge(what, size, yaml.Mark("", index, line, column, None, 0))


def _load_json(data: bytes) -> Any:
    """``json.loads(data)``, refusing an object over 3 MiB (a document, or an item of a list).

    Only data over 3 MiB is measured: it is read one top-level member at a time, so that the
    items of a ``kind: List`` are measured without reading anything twice.

    Raises:
        ValueError: invalid JSON (a :class:`json.JSONDecodeError` with the position).
        TooLarge: an object over 3 MiB.
    """
    if len(data) <= MAX_OBJECT_BYTES:
        return json.loads(data)
    text = data.decode(json.detect_encoding(data), "surrogatepass")
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    start = _skip(text, 0)
    spans: list[tuple[int, int]] = []
    if text.startswith("{", start):
        document, end, spans = _json_map(text, start)
    else:
        document, end = _DECODER.raw_decode(text, start)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, end))
    if is_list(document):
        for index, (first, last) in enumerate(spans):
            size = _utf8_size(text, first, last)
            if size > MAX_OBJECT_BYTES:
                raise _too_large(f"items[{index}] of document 1", size, text, first)
    else:
        size = _utf8_size(text, start, end)
        if size > MAX_OBJECT_BYTES:
            raise _too_large("document 1", size, text, start)
    return document


def _parse(text: bytes, file: Path) -> list[Any]:
    if file.suffix.lower() == ".json":
        if not text.strip():
            return []  # no object: read_objects says so
        try:
            return [_load_json(text)]
        except ValueError as error:
            raise _json_error(error, file) from error
    return load_all(text)


def _yaml_error(error: yaml.YAMLError, file: Path) -> InputError:
    mark = getattr(error, "problem_mark", None)
    where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    if context:  # "found duplicate anchor 'a'; first occurrence: second occurrence"
        problem = f"{context}: {problem}"
    if len(problem) > 300:  # PyYAML quotes what it found; never a whole huge token
        problem = problem[:297] + "..."
    return InputError(f"{where}: invalid YAML: {problem}")


def read_objects(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Every Kubernetes object in ``paths``.

    Args:
        paths: files or directories; a directory is read recursively (``*.yaml``, ``*.yml``,
            ``*.json``, in sorted order). Files may hold several YAML documents; empty documents
            are skipped; ``kind: List`` and ``kind: XxxList`` are replaced by their items.

    Returns:
        The objects as dicts (:class:`Document`, which remembers its file and position), in
        file order.

    Raises:
        InputError: a missing path; a directory with no file to read; an unreadable file; a
            file that holds no object at all (empty, only comments; an explicitly empty
            ``kind: List`` is an object, of nothing); unparsable YAML or JSON (with the line);
            YAML that kubectl refuses (excessive aliasing, an alias in its own anchor); an
            object over the API server's 3 MiB request limit.
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
            except TooLarge as error:
                line = f":{error.mark.line + 1}" if error.mark is not None else ""
                raise InputError(f"{file}{line}: {error}") from error
            except yaml.YAMLError as error:
                raise _yaml_error(error, file) from error
            except InputError:
                raise
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
                # what PyYAML's constructors raise on a scalar they reject (`!!int abc`, an
                # integer of 5,000 digits), uncaught by PyYAML itself
                message = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise InputError(f"{file}: invalid YAML: {short_key(message)}") from error
            if all(document is None for document in documents):
                raise InputError(
                    f"{file}: no Kubernetes object: the file is empty or holds only comments "
                    "(an empty kind: List says nothing on purpose)"
                )
            origin = str(file)
            for number, document in enumerate(documents):
                where = f" (document {number + 1})" if number else ""
                objects.extend(flatten(document, origin, where, number + 1))
    return objects
