"""A fast YAML reader: libyaml's events built straight into dicts, lists and scalars.

PyYAML's CSafeLoader parses in C but resolves and constructs every node in Python, which
dominates the time on large inventories. This reader walks libyaml's event stream once (through
PyYAML's ``yaml._yaml.CParser``, the parser CSafeLoader itself is built on), resolves each
distinct plain scalar once (with PyYAML's own resolver and scalar constructors, so values are
identical to ``yaml.safe_load``, YAML 1.1 included: ``on`` is True, ``0755`` is 493), and builds
containers in place. It raises what PyYAML's composer raises: an undefined alias and a duplicate
anchor are a :class:`yaml.composer.ComposerError` with the position, and libyaml's syntax errors
pass through. ``benchmarks/yaml_readers.py`` measures it against PyYAML, JSON and the fast YAML
parsers on PyPI, none of which reads YAML 1.1 as PyYAML does (see benchmarks/README.md).

A stream holding any of the following is read again, from the start, by ``yaml.load_all`` with
the safe loader, so that its values and errors are exactly PyYAML's:

* tags other than the core schema's ``str``, ``int``, ``float``, ``bool``, ``null``, ``binary``,
  ``timestamp``, ``map`` and ``seq``: explicit ones (``!!set``, ``!!omap``, local tags, ...) and
  those a plain scalar resolves to (``=``, and ``<<`` outside a merge);
* merge keys ``<<``;
* complex keys (a mapping or a sequence used as a key, which the safe loader rejects);
* a scalar that PyYAML's constructor rejects (``!!int abc``, ``2001-13-45``): PyYAML composes a
  whole document before it constructs it, so it may report a later syntax error instead.

Without libyaml (a PyYAML built without it) every stream is read by ``yaml.load_all``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import ComposerError
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
from yaml.nodes import ScalarNode

__all__ = ["load_all"]

_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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


def _define(anchors: dict[str, tuple[Any, Any]], event: Any, value: Any) -> None:
    """Record the anchor of ``event`` (a scalar or a collection start) for ``value``.

    Raises:
        yaml.composer.ComposerError: the anchor is already defined in this document.
    """
    anchor = event.anchor
    if anchor in anchors:
        raise ComposerError(
            f"found duplicate anchor {anchor!r}; first occurrence",
            anchors[anchor][1],
            "second occurrence",
            event.start_mark,
        )
    anchors[anchor] = (value, event.start_mark)


def _events(data: bytes) -> list[Any]:  # noqa: C901 - one flat loop is what makes it fast
    """Every document of ``data``, built from libyaml's events.

    Raises:
        _Fallback: a document that ``yaml.load_all`` must read.
        yaml.YAMLError: a syntax error, an undefined alias, a duplicate anchor.
    """
    get_event = _CParser(data).get_event
    scalars = _Scalars()
    plain = scalars.plain
    documents: list[Any] = []
    stack: list[tuple[Any, Any]] = []  # the enclosing containers, with their pending keys
    anchors: dict[str, tuple[Any, Any]] = {}  # the document's anchors: (value, where defined)
    top: Any = None  # the innermost open container (None: at document level)
    key: Any = _NO_KEY  # when ``top`` is a dict: the key waiting for its value
    root: Any = None
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
                _define(anchors, event, value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag not in (_MAP_TAGS if kind is MappingStartEvent else _SEQ_TAGS):
                raise _Fallback
            value = {} if kind is MappingStartEvent else []
            if event.anchor is not None:
                _define(anchors, event, value)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            top, key = stack.pop()
            continue
        elif kind is AliasEvent:
            anchored = anchors.get(event.anchor)
            if anchored is None:
                raise ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            value = anchored[0]
        elif kind is DocumentEndEvent:
            documents.append(root)
            root = None
            anchors = {}
            continue
        elif kind is StreamEndEvent:
            return documents
        else:  # StreamStart, DocumentStart
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


def load_all(data: bytes) -> list[Any]:
    """Every document of ``data``, as ``list(yaml.safe_load_all(data))`` would return them.

    Args:
        data: the YAML stream (UTF-8, UTF-16 with a BOM, or text).

    Returns:
        One value per document (``None`` for an empty one), built from dicts, lists and the core
        schema's scalars.

    Raises:
        yaml.YAMLError: the data is not valid YAML, or an alias is undefined or an anchor
            defined twice (with the position, as PyYAML reports it).
    """
    if _CParser is not None:
        try:
            return _events(data)
        except _Fallback:
            pass
    return list(yaml.load_all(data, Loader=_SafeLoader))
