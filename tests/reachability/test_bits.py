"""Int bitsets: building them from members and listing members and runs back."""

from __future__ import annotations

import random

from podfence.reachability.bits import from_indices, indices, runs


def test_members_round_trip() -> None:
    rnd = random.Random(7)
    for size in (0, 1, 2, 63, 64, 65, 1000):
        for density in (0.0, 0.05, 0.5, 1.0):
            members = [i for i in range(size) if rnd.random() < density]
            mask = from_indices(members, size)
            assert mask == sum(1 << i for i in members)
            assert indices(mask) == members


def test_runs_are_maximal_and_ascending() -> None:
    assert runs(0) == []
    assert runs(0b1) == [(0, 1)]
    assert runs(0b1110_0110) == [(1, 3), (5, 8)]
    rnd = random.Random(3)
    for _ in range(200):
        mask = rnd.getrandbits(rnd.randrange(1, 300))
        expanded = [i for first, stop in runs(mask) for i in range(first, stop)]
        assert expanded == indices(mask)
        assert all(b[0] > a[1] for a, b in zip(runs(mask), runs(mask)[1:], strict=False))
