"""Pulumi programs offline: run one under mocks and record what it would create.

``record(program, project, stack)`` runs a function as a Pulumi program under mocks and returns
every :class:`RecordedResource` it registered; ``record_program(path, project, stack, config)``
runs a program file (a ``__main__.py``) the way ``pulumi up`` would; ``find_project`` reads a
Pulumi project (Pulumi.yaml and its stack files) without the CLI. The names load on first access,
so importing a module of this package (the project reader) does not import Pulumi.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podfence.offline.project import Project, find_project
    from podfence.offline.recorder import RecordedResource, record, record_program

__all__ = ["Project", "RecordedResource", "find_project", "record", "record_program"]

_LAZY = {
    "Project": "podfence.offline.project",
    "find_project": "podfence.offline.project",
    "RecordedResource": "podfence.offline.recorder",
    "record": "podfence.offline.recorder",
    "record_program": "podfence.offline.recorder",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
