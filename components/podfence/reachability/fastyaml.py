"""A fast YAML reader: libyaml's events built straight into dicts, lists and scalars.

PyYAML's CSafeLoader parses in C but resolves and constructs every node in Python, which
dominates the time on large inventories. This reader walks libyaml's event stream once (through
PyYAML's ``yaml._yaml.CParser``, the parser CSafeLoader itself is built on), resolves each
distinct plain scalar once (with PyYAML's own resolver and scalar constructors, so values are
identical to ``yaml.safe_load``, YAML 1.1 included: ``on`` is True, ``0755`` is 493), and builds
containers in place. It raises what PyYAML's composer raises: an undefined alias is a
:class:`yaml.composer.ComposerError` with the position, and libyaml's syntax errors pass
through. ``benchmarks/yaml_readers.py`` measures it against PyYAML, JSON and the fast YAML
parsers on PyPI, none of which reads YAML 1.1 as PyYAML does (see benchmarks/README.md).

A stream holding any of the following is read again, from the start, by ``yaml.load_all`` with
the safe loader, so that its values and errors are exactly PyYAML's:

* tags other than the core schema's ``str``, ``int``, ``float``, ``bool``, ``null``, ``binary``,
  ``timestamp``, ``map`` and ``seq``: explicit ones (``!!set``, ``!!omap``, local tags, ...) and
  those a plain scalar resolves to (``=``, and ``<<`` outside a merge);
* merge keys ``<<``;
* complex keys (a mapping or a sequence used as a key, which the safe loader rejects);
* anchors (and so aliases), whose expansion is measured on PyYAML's nodes (see below);
* a scalar that PyYAML's constructor rejects (``!!int abc``, ``2001-13-45``): PyYAML composes a
  whole document before it constructs it, so it may report a later syntax error instead.

Without libyaml (a PyYAML built without it) every stream is read by ``yaml.load_all``.

Two things PyYAML reads are refused, because kubectl (sigs.k8s.io/yaml, which decodes with
go-yaml) refuses them and because a reader that accepts them can be made to run out of time or
memory by a few hundred bytes:

* excessive aliasing, by go-yaml's rule: of the nodes a document expands to (each alias counted
  as the node it stands for, however often it repeats), at most 99% may come from aliases up to
  400,000 nodes, a share falling to 10% at 4,000,000 (see :func:`allowed_alias_ratio`);
* an alias inside its own anchor (``&a [*a]``): go-yaml's "anchor 'a' value contains itself".

Both raise :class:`AliasError` (a :class:`yaml.composer.ComposerError`). Aliases are counted on
PyYAML's composed nodes, where an alias is its anchored node itself: each document is composed
(which costs what its text costs, however much its aliases stand for), its expanded size is
counted in document order as go-yaml decodes it, each anchored node's size once, and only then
is it constructed; a "billion laughs" stops at its first levels. A stream with an anchor is
therefore read by PyYAML too (kubectl's output has none; the event walk stays free of counting).

An object over 3 MiB (a document, or an item of a ``kind: List``) raises :class:`TooLarge`: the
API server refuses a request larger than that, so no cluster holds such an object. Only a
stream over 3 MiB is measured at all.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

__all__ = [
    "MAX_OBJECT_BYTES",
    "AliasError",
    "TooLarge",
    "allowed_alias_ratio",
    "is_list",
    "load_all",
]

_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")
_STR = "tag:yaml.org,2002:str"
#: The core schema's scalar constructors (all but ``str``), as SafeConstructor registers them.
_SCALAR_CONSTRUCTORS: dict[str, Callable[[SafeConstructor, ScalarNode], Any]] = {
    f"tag:yaml.org,2002:{name}": SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float", "binary", "timestamp")
}
#: What those constructors raise on a value they reject (``int("")`` for ``0x_``, ``""[0]`` for an
#: empty ``!!int``).
_CONSTRUCTOR_ERRORS = (yaml.YAMLError, ValueError, KeyError, IndexError, AttributeError)
_NO_KEY: Any = object()
_MISSING: Any = object()


class _Fallback(Exception):
    """The document is one of those that ``yaml.load_all`` reads (see the module docstring)."""


class _Scalars:
    """Plain and tagged scalars, resolved and constructed like PyYAML's SafeLoader.

    Attributes:
        plain: every plain scalar's value so far, by its text (each is resolved only once).
    """

    def __init__(self) -> None:
        self._resolver = yaml.resolver.Resolver()
        self._constructor = SafeConstructor()
        self.plain: dict[str, Any] = {}

    def construct(self, tag: str, value: str) -> Any:
        """The value of a scalar with this (resolved or explicit) tag.

        Args:
            tag: the full tag, e.g. ``tag:yaml.org,2002:int``.
            value: the scalar's text.

        Raises:
            _Fallback: a tag outside the core schema (a merge key ``<<`` resolves to one), or a
                value that PyYAML's constructor rejects.
        """
        if tag == _STR:
            return value
        constructor = _SCALAR_CONSTRUCTORS.get(tag)
        if constructor is None:
            raise _Fallback
        try:
            return constructor(self._constructor, ScalarNode(tag, value))
        except _CONSTRUCTOR_ERRORS:
            raise _Fallback from None

    def resolve_plain(self, value: str) -> Any:
        """The value of the plain scalar ``value``, remembered in :attr:`plain`.

        Raises:
            _Fallback: as :meth:`construct`.
        """
        tag = self._resolver.resolve(ScalarNode, value, (True, False))
        result = self.plain[value] = self.construct(tag, value)
        return result


#: The API server's limit on a request body (3 MiB): no object larger than that is in a cluster.
MAX_OBJECT_BYTES = 3 * 1024 * 1024
_MIB = 1024 * 1024

# go-yaml's bounds (decode.go, alias_ratio_range_low and _high) for excessive aliasing.
_ALIAS_RATIO_LOW = 400_000
_ALIAS_RATIO_HIGH = 4_000_000


def allowed_alias_ratio(nodes: int) -> float:
    """The share of a document's ``nodes`` that may come from aliases (go-yaml's rule).

    99% up to 400,000 nodes, falling evenly to 10% at 4,000,000 and staying there: in numbers,
    at most about 400,000 nodes from aliases in all but huge documents.
    """
    if nodes <= _ALIAS_RATIO_LOW:
        return 0.99
    if nodes >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (nodes - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


def _excessive(nodes: int, aliased: int) -> bool:
    """go-yaml's test, made after each alias: more than 100 aliased of over 1,000 nodes, and
    more of them than :func:`allowed_alias_ratio` allows."""
    return aliased > 100 and nodes > 1000 and aliased > nodes * allowed_alias_ratio(nodes)


class AliasError(ComposerError):
    """A document that kubectl refuses for its aliases: excessive aliasing, or an alias inside
    the node it names."""

    @classmethod
    def excessive(cls, nodes: int, aliased: int, mark: Any) -> AliasError:
        """Excessive aliasing, at the alias that went over."""
        return cls(
            None,
            None,
            f"document contains excessive aliasing: {aliased:,} of its first {nodes:,} nodes "
            f"come from aliases, over the {allowed_alias_ratio(nodes):.0%} kubectl allows",
            mark,
        )

    @classmethod
    def recursive(cls, anchor: str | None, mark: Any) -> AliasError:
        """An alias inside its own anchor's node."""
        name = f"anchor {anchor!r}" if anchor is not None else "an anchor's"
        return cls(None, None, f"{name} value contains itself", mark)


class TooLarge(yaml.YAMLError):
    """An object over :data:`MAX_OBJECT_BYTES`.

    Attributes:
        what: which: ``document 2``, ``items[7] of document 1``.
        size: its size in bytes (UTF-8).
        mark: where it starts (``mark.line`` is 0-based).
    """

    def __init__(self, what: str, size: int, mark: Any) -> None:
        super().__init__(what, size, mark)
        self.what = what
        self.size = size
        self.mark = mark

    def __str__(self) -> str:
        return (
            f"{self.what} is {self.size / _MIB:.1f} MiB, over the API server's 3 MiB limit on a "
            "request: no cluster can hold it"
        )


def is_list(document: Any) -> bool:
    """Whether a parsed document is a ``kind: List`` (or ``XxxList``) to be read item by item.

    ``kind: List`` always is (no ``items`` is an empty list); another kind ending in ``List``
    is when it has ``items``.
    """
    if not isinstance(document, dict):
        return False
    kind = document.get("kind")
    return isinstance(kind, str) and (
        kind == "List" or (kind.endswith("List") and "items" in document)
    )


class _Sizes:
    """Measures the objects of a stream over :data:`MAX_OBJECT_BYTES` (libyaml counts
    characters; a span that might be over in bytes is encoded to be sure)."""

    def __init__(self, data: bytes | str) -> None:
        self._data = data
        self._text: str | None = None

    def _decoded(self) -> str:
        if self._text is None:
            data = self._data
            if isinstance(data, str):
                self._text = data
            elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                self._text = data.decode("utf-16", errors="replace")
            else:
                self._text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        return self._text

    def size(self, start: int, end: int) -> int:
        """The UTF-8 size of the characters ``start:end`` of the stream."""
        if (end - start) * 4 <= MAX_OBJECT_BYTES:
            return end - start  # even at 4 bytes a character it is within the limit
        return len(self._decoded()[start:end].encode("utf-8", errors="replace"))

    def mark(self, index: int) -> Any:
        """A mark at the first character from ``index`` on that is not a blank, ``-`` or ``,``
        (where a list item starts, from where the one before it ended)."""
        text = self._decoded()
        while index < len(text) and text[index] in " \t\r\n-,[":
            index += 1
        line_start = text.rfind("\n", 0, index) + 1
        return yaml.Mark("", index, text.count("\n", 0, index), index - line_start, None, 0)

    def check(self, root: Any, number: int, start: Any, end: Any, item: Any) -> None:
        """Raise :class:`TooLarge` for document ``number`` (from mark ``start`` to ``end``) or
        for its ``item`` (a (what, size, mark, parent) found over the limit), whichever applies:
        a list's items are objects of their own, any other document is one."""
        if is_list(root):
            if item is not None and item[3] is root.get("items"):
                raise TooLarge(f"{item[0]} of document {number}", item[1], item[2])
            return
        size = self.size(start.index, end.index)
        if size > MAX_OBJECT_BYTES:
            raise TooLarge(f"document {number}", size, start)


def _events(data: bytes) -> list[Any]:  # noqa: C901 - one flat loop is what makes it fast
    """Every document of ``data``, built from libyaml's events.

    Raises:
        _Fallback: a document that ``yaml.load_all`` must read (an anchor among them).
        TooLarge: an object over 3 MiB.
        yaml.YAMLError: a syntax error, an undefined alias.
    """
    get_event = _CParser(data).get_event
    scalars = _Scalars()
    plain = scalars.plain
    documents: list[Any] = []
    stack: list[tuple[Any, Any]] = []  # the enclosing containers, with their pending keys
    top: Any = None  # the innermost open container (None: at document level)
    key: Any = _NO_KEY  # when ``top`` is a dict: the key waiting for its value
    root: Any = None
    # Object sizes, measured only in a stream that could hold an object over the limit: the
    # document's, and each item's of a top-level list (from where the one before it ended).
    measure = _Sizes(data) if len(data) > MAX_OBJECT_BYTES else None
    start_mark: Any = None  # where the document starts
    item_start = 0  # where the next item of a top-level list starts, at the latest
    item: Any = None  # the first item found over the limit: (what, size, mark, parent)
    while True:
        event: Any = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                text = event.value
                if event.implicit[0]:
                    value = plain.get(text, _MISSING)
                    if value is _MISSING:
                        value = scalars.resolve_plain(text)
                else:
                    value = text
            else:
                value = scalars.construct(tag, event.value)
            if event.anchor is not None:
                raise _Fallback  # aliases are measured on PyYAML's nodes
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag not in (_MAP_TAGS if kind is MappingStartEvent else _SEQ_TAGS):
                raise _Fallback
            if event.anchor is not None:
                raise _Fallback
            value = {} if kind is MappingStartEvent else []
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            top, key = stack.pop()
            if measure is not None and len(stack) == 2 and type(top) is list:
                end = event.end_mark.index
                if item is None and measure.size(item_start, end) > MAX_OBJECT_BYTES:
                    what = f"items[{len(top) - 1}]"
                    item = (what, measure.size(item_start, end), measure.mark(item_start), top)
                item_start = end
            continue
        elif kind is AliasEvent:  # no anchor is defined here: a document with one falls back
            raise ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        elif kind is DocumentEndEvent:
            if measure is not None:
                measure.check(root, len(documents) + 1, start_mark, event.end_mark, item)
                item = None
            documents.append(root)
            root = None
            continue
        elif kind is StreamEndEvent:
            return documents
        else:  # StreamStart, DocumentStart
            start_mark = event.start_mark
            item_start = start_mark.index
            continue
        if top is None:
            root = value
        elif type(top) is list:
            top.append(value)
        elif key is _NO_KEY:
            if type(value) is dict or type(value) is list:
                raise _Fallback  # a complex key: the safe loader rejects it as unhashable
            key = value
        else:
            top[key] = value
            key = _NO_KEY
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            stack.append((top, key))
            top = value
            key = _NO_KEY


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    else:
        yield from node.value


def _check_aliases(root: Node, names: dict[int, str]) -> None:
    """The alias rules of the module docstring, on a composed document (PyYAML's nodes: an
    alias is its anchored node itself), walked in document order as go-yaml decodes it.

    Args:
        root: the document's node.
        names: the anchors' names, by their nodes' ids, for errors.

    Raises:
        AliasError: excessive aliasing, or a node that contains itself.
    """
    sizes: dict[int, int] = {}  # id(node) -> its expanded size, once walked
    walking: set[int] = set()  # the collections being walked (a path from the root)
    nodes = aliased = 0
    stack: list[tuple[Node, Iterator[Node], int]] = []

    def enter(node: Node) -> None:
        nonlocal nodes
        nodes += 1
        if isinstance(node, CollectionNode):
            walking.add(id(node))
            stack.append((node, _children(node), nodes - 1))
        else:
            sizes[id(node)] = 1

    enter(root)
    while stack:
        node, children, before = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            walking.discard(id(node))
            sizes[id(node)] = nodes - before
            continue
        size = sizes.get(id(child))
        if size is not None:  # met before: this occurrence is an alias
            nodes += 1 + size
            aliased += size
            if _excessive(nodes, aliased):
                raise AliasError.excessive(nodes, aliased, child.start_mark)
        elif id(child) in walking:
            raise AliasError.recursive(names.get(id(child)), child.start_mark)
        else:
            enter(child)


def _item_nodes(root: Node) -> list[Node] | None:
    """The item nodes of a composed ``kind: List`` document, else None."""
    if not isinstance(root, MappingNode):
        return None
    fields = {k.value: v for k, v in root.value if isinstance(k, ScalarNode)}
    kind = fields.get("kind")
    if not isinstance(kind, ScalarNode) or not kind.value.endswith("List"):
        return None
    items = fields.get("items")
    if items is None:
        return [] if kind.value == "List" else None
    return list(items.value) if not isinstance(items, ScalarNode) else []


def _check_size(root: Node, number: int, measure: _Sizes) -> None:
    """:class:`TooLarge` for a composed document (or an item of it, if it is a list)."""
    items = _item_nodes(root)
    spans = [(root, f"document {number}")] if items is None else []
    spans += [
        (node, f"items[{index}] of document {number}") for index, node in enumerate(items or ())
    ]
    for node, what in spans:
        size = measure.size(node.start_mark.index, node.end_mark.index)
        if size > MAX_OBJECT_BYTES:
            raise TooLarge(what, size, node.start_mark)


class _Anchors:
    """PyYAML's composer, remembering the anchors of the document it composed last (their
    names, for errors), and raising PyYAML's errors with the anchors named."""

    anchors: dict[str, Node]
    anchor_names: dict[int, str]

    def compose_document(self) -> Node:  # as yaml.composer.Composer's, keeping the names
        self.get_event()  # type: ignore[attr-defined]  # the document's start
        node: Node = self.compose_node(None, None)  # type: ignore[attr-defined]
        self.get_event()  # type: ignore[attr-defined]  # its end
        self.anchor_names = {id(anchored): name for name, anchored in self.anchors.items()}
        self.anchors = {}
        return node


def _init_loader(loader: Any, stream: bytes | str) -> None:
    _CParser.__init__(loader, stream)
    Composer.__init__(loader)
    SafeConstructor.__init__(loader)
    Resolver.__init__(loader)


#: The safe loader that composes with PyYAML's composer (on libyaml's parser when there is one),
#: so that each document's nodes are checked before they are constructed, with named anchors.
_Loader: Any = (
    type(
        "_Loader",
        (_Anchors, Composer, _CParser, SafeConstructor, Resolver),
        {"__init__": _init_loader},
    )
    if _CParser is not None
    else type("_Loader", (_Anchors, yaml.SafeLoader), {})
)


def _load_with_pyyaml(data: bytes | str) -> list[Any]:
    """``yaml.load_all`` with the safe loader, each document composed and checked (aliases,
    sizes) before it is constructed."""
    loader = _Loader(data)
    measure = _Sizes(data) if len(data) > MAX_OBJECT_BYTES else None
    try:
        documents: list[Any] = []
        while loader.check_node():
            node = loader.get_node()
            _check_aliases(node, loader.anchor_names)
            if measure is not None:
                _check_size(node, len(documents) + 1, measure)
            documents.append(loader.construct_document(node))
        return documents
    finally:
        loader.dispose()


def load_all(data: bytes) -> list[Any]:
    """Every document of ``data``, as ``list(yaml.safe_load_all(data))`` would return them,
    unless kubectl would refuse it (see the module docstring).

    Args:
        data: the YAML stream (UTF-8, UTF-16 with a BOM, or text).

    Returns:
        One value per document (``None`` for an empty one), built from dicts, lists and the core
        schema's scalars.

    Raises:
        AliasError: excessive aliasing, or an alias inside its own anchor.
        TooLarge: an object over 3 MiB.
        yaml.YAMLError: the data is not valid YAML, or an alias is undefined or an anchor
            defined twice (with the position, as PyYAML reports it).
    """
    if _CParser is not None:
        try:
            return _events(data)
        except _Fallback:
            pass
    return _load_with_pyyaml(data)
