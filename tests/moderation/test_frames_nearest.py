"""The nearest free word of a frame's part, looked up outward from the anchor when a part has
many cues (a post repeating one phrase), is the one the scan over every cue chooses."""

from __future__ import annotations

import random

from moderation.cues import Cue
from moderation.frames import _SCAN_ALL, _by_place, _nearest_free


def _brute(others: list[Cue], at: int, taken: list[tuple[int, int]]) -> Cue | None:
    free = [c for c in others if all(c.last < a or c.first > b for a, b in taken)]
    return min(free, key=lambda c: abs(c.first - at)) if free else None


def test_outward_lookup_chooses_as_the_full_scan() -> None:
    rng = random.Random(20261201)
    for _ in range(400):
        n = rng.randint(_SCAN_ALL + 1, 120)
        others = []
        for _ in range(n):
            first = rng.randint(0, 300)
            others.append(Cue(cls=rng.choice(["MED", "PRON_OBJ"]), first=first, last=first + rng.randint(0, 2),
                              negated=False))
        at = rng.randint(0, 300)
        taken = [(s, s + rng.randint(0, 3)) for s in (rng.randint(0, 300) for _ in range(rng.randint(1, 4)))]
        assert _nearest_free(others, _by_place(others), at, taken) == _brute(others, at, taken)
