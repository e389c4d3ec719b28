"""Sets of small non-negative integers as Python ints: bit ``i`` set means ``i`` is a member.

The matrix engine keeps its class and entry sets this way: union, intersection and difference
are single ``|``, ``&`` and ``& ~`` operations on the whole set, at C speed.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["from_indices", "indices", "runs"]


def from_indices(members: Iterable[int], size: int) -> int:
    """The set of ``members``, each in ``0 .. size - 1``."""
    if size <= 0:
        return 0
    digits = bytearray(b"0") * size
    for member in members:
        digits[size - 1 - member] = 49  # "1"; the last digit is bit 0
    return int(digits, 2)


def indices(mask: int) -> list[int]:
    """The members of ``mask``, ascending."""
    if not mask:
        return []
    text = bin(mask)[:1:-1]  # bit 0 first, without the "0b"
    find = text.find
    result = []
    position = find("1")
    while position >= 0:
        result.append(position)
        position = find("1", position + 1)
    return result


def runs(mask: int) -> list[tuple[int, int]]:
    """The maximal runs of consecutive members of ``mask``, as ascending (first, last + 1)."""
    if not mask:
        return []
    text = bin(mask)[:1:-1]
    find = text.find
    result = []
    start = find("1")
    while start >= 0:
        stop = find("0", start)
        if stop < 0:
            result.append((start, len(text)))
            break
        result.append((start, stop))
        start = find("1", stop)
    return result
