"""The policies one Pulumi program makes, by kind and namespace/name: each may be made only once.

Two resources that write the same namespace/name pass ``pulumi preview`` (and mocks) and fail
mid-deploy with AlreadyExists, or, before pulumi-kubernetes 4.29, silently fight over one
object. podfence's components claim every name here before they register anything, so the
second claim is one error that names both places, and nothing of it is half-built.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import pulumi

from podfence.errors import SpecError

__all__ = ["claim"]

# One ledger per program: keyed by the program's resource monitor (the engine's connection, or
# the mock monitor of a test), so runs in one process do not see each other's names.
_LEDGERS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_NO_MONITOR: dict[str, str] = {}


def _ledger() -> dict[str, str]:
    monitor = pulumi.runtime.settings.get_monitor()
    if monitor is None:
        return _NO_MONITOR
    try:
        return _LEDGERS.setdefault(monitor, {})
    except TypeError:  # pragma: no cover - a monitor that cannot be weakly referenced
        return _NO_MONITOR


def claim(keys: Iterable[str], place: str, kind: str = "NetworkPolicy") -> None:
    """Claim every ``namespace/name`` in ``keys`` for ``place`` (``Firewall guestbook``), or none.

    Args:
        keys: the objects' ``namespace/name`` (a cluster-scoped object's name alone).
        place: who makes them, for the error.
        kind: their kind (default NetworkPolicy); names of different kinds never collide.

    Raises:
        SpecError: a name already claimed by another place in this program, naming both.
    """
    ledger = _ledger()
    prefix = "" if kind == "NetworkPolicy" else f"{kind}:"
    wanted = list(keys)
    for key in wanted:
        owner = ledger.get(prefix + key)
        if owner is not None:
            raise SpecError(
                f"{kind} {key} is made twice in this program: by {owner} and by {place}; "
                "Kubernetes keeps one object per namespace and name, so rename one of them"
            )
    for key in wanted:
        ledger[prefix + key] = place
