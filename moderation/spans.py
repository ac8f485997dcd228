"""A set of disjoint [start, end) spans that answers "does this one overlap any?" in O(log n).

Findings are kept one per overlapping span: a post of 20,000 characters can hold thousands of
findings ("junkie. " repeated), and comparing each with every one kept grew with their square.
"""

from __future__ import annotations

from bisect import bisect_left


class DisjointSpans:
    """Spans kept so far, never overlapping one another, sorted by start (so by end too)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # The only kept span that can overlap [start, end) is the last one starting before `end`:
        # every earlier one ends before that one starts.
        i = bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def add(self, start: int, end: int) -> bool:
        """Keep [start, end) unless it overlaps a kept span; True when kept."""
        if self.overlaps(start, end):
            return False
        i = bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True
