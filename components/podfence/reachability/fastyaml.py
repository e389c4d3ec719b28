"""A fast YAML reader: libyaml's events built straight into dicts, lists and scalars.

PyYAML's CSafeLoader parses in C but resolves and constructs every node in Python, which
dominates the time on large inventories. This reader walks libyaml's event stream once,
resolves each distinct plain scalar once (with PyYAML's own resolver and constructor, so values
are identical to ``yaml.safe_load``), and builds containers in place. Anything unusual (explicit
non-core tags, merge keys ``<<``, complex keys) falls back to ``yaml.load_all`` with the safe
loader, which then also produces PyYAML's usual errors.
"""

from __future__ import annotations

from typing import Any

import yaml
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
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY: Any = object()
_MISSING: Any = object()


class _Fallback(Exception):
    """The document needs PyYAML's full constructor."""


class _Scalars:
    """Plain and tagged scalars, resolved and constructed like PyYAML's SafeLoader, memoised."""

    def __init__(self) -> None:
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()
        self.plain: dict[str, Any] = {}

    def construct(self, tag: str, value: str) -> Any:
        if tag == _STR:
            return value
        if tag == _MERGE:
            raise _Fallback
        try:
            return self._constructor.construct_object(ScalarNode(tag, value), deep=True)
        except yaml.YAMLError:
            raise _Fallback from None

    def resolve_plain(self, value: str) -> Any:
        tag = self._resolver.resolve(ScalarNode, value, (True, False))
        result = self.plain[value] = self.construct(tag, value)
        return result


def _events(data: bytes) -> list[Any]:  # noqa: C901 - one flat loop is what makes it fast
    get_event = _CParser(data).get_event
    scalars = _Scalars()
    plain = scalars.plain
    documents: list[Any] = []
    stack: list[tuple[Any, Any]] = []  # the enclosing containers, with their pending keys
    anchors: dict[str, Any] = {}
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
                anchors[event.anchor] = value
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag not in (_MAP_TAGS if kind is MappingStartEvent else _SEQ_TAGS):
                raise _Fallback
            value = {} if kind is MappingStartEvent else []
            if event.anchor is not None:
                anchors[event.anchor] = value
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            top, key = stack.pop()
            continue
        elif kind is AliasEvent:
            value = anchors[event.anchor]
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
                raise _Fallback
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

    Raises:
        yaml.YAMLError: the data is not valid YAML (with the position, as PyYAML reports it).
    """
    if _CParser is not None:
        try:
            return _events(data)
        except _Fallback:
            pass
        except (KeyError, TypeError):  # an undefined alias or an unhashable key
            pass
    return list(yaml.load_all(data, Loader=_SafeLoader))
