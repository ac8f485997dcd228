"""Folding text for matching while keeping a map back to the original offsets.

Patterns match a folded view of the post (case-folded, diacritics stripped,
typographic apostrophes and spaces unified). Findings must carry offsets into
the ORIGINAL text, so every folded character remembers where it came from.
Most posts only hold Latin characters that fold one-to-one: those take a fast
path through ``str.translate`` with an identity offset map. Anything else
(ligatures, ß, emoji, zero-width characters) takes a per-character path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters that evade or disturb matching when left as typed.
_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003"
_HYPHENS = "\u2010\u2011\u2012"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SPECIAL = {"\u0153": "oe", "\u00e6": "ae", "\u0152": "oe", "\u00c6": "ae", "\u2026": "."}


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> tuple[str, str]:
    """Return (plain, lower): accent-free folded form and case-folded form with accents."""
    if ch in _APOSTROPHES:
        return "'", "'"
    if ch in _SPACES:
        return " ", " "
    if ch in _HYPHENS:
        return "-", "-"
    if ch in _INVISIBLE:
        return "", ""
    if ch in _SPECIAL:
        return _SPECIAL[ch], _SPECIAL[ch]
    lower = unicodedata.normalize("NFC", ch.casefold())
    decomposed = unicodedata.normalize("NFKD", lower)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if len(plain) != len(lower):
        # Keep the two views the same length so they share one offset map.
        lower = plain
    return plain, lower


def _build_tables() -> tuple[dict[int, str], dict[int, str], str]:
    plain_table: dict[int, str] = {}
    lower_table: dict[int, str] = {}
    irregular: list[str] = []
    for code in [*range(0x0000, 0x0250), *range(0x2000, 0x2070)]:
        ch = chr(code)
        plain, lower = fold_char(ch)
        if len(plain) == 1:
            plain_table[code] = plain
            lower_table[code] = lower
        else:
            irregular.append(ch)
    return plain_table, lower_table, "".join(irregular)


_PLAIN_TABLE, _LOWER_TABLE, _IRREGULAR = _build_tables()
# Anything outside the precomputed ranges, or folding to 0 or 2+ characters.
_NEEDS_SLOW_PATH = re.compile("[^\u0000-\u024f\u2000-\u206f]|[" + re.escape(_IRREGULAR) + "]")


@dataclass(frozen=True, slots=True)
class Folded:
    """The folded views of a text and the map from folded to original offsets."""

    original: str
    plain: str
    # The case-folded view with accents (only accent-sensitive patterns read it): None
    # until asked for, on the fast path.
    _lower: str | None
    # For each folded character, the original [start, end) it came from;
    # None means the identity map (fast path).
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            object.__setattr__(self, "_lower", self.original.translate(_LOWER_TABLE))
        assert self._lower is not None
        return self._lower

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) span to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _fold_cluster(cluster: str) -> tuple[str, str]:
    composed = unicodedata.normalize("NFC", cluster)
    if len(composed) == 1:
        return fold_char(composed)
    pairs = [fold_char(ch) for ch in composed]
    plain = "".join(p for p, _ in pairs)
    lower = "".join(low for _, low in pairs)
    return plain, lower if len(lower) == len(plain) else plain


def fold(text: str) -> Folded:
    if text.isascii():
        # Every ASCII character folds to one character: no offset map needed.
        return Folded(text, text.translate(_PLAIN_TABLE), None)
    irregular = list(_NEEDS_SLOW_PATH.finditer(text))
    if not irregular:
        return Folded(text, text.translate(_PLAIN_TABLE), None)
    plain_parts: list[str] = []
    lower_parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def regular(a: int, b: int) -> None:
        # Regular runs fold one-to-one through the C-level translate tables.
        if b > a:
            chunk = text[a:b]
            plain_parts.append(chunk.translate(_PLAIN_TABLE))
            lower_parts.append(chunk.translate(_LOWER_TABLE))
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))

    pos, n = 0, len(text)
    for m in irregular:
        k = m.start()
        if k < pos:
            continue  # already folded as part of the previous cluster
        # A base character with its combining marks folds as one unit, so a
        # decomposed "é" (e + U+0301) matches like a composed one and a match
        # never ends between a letter and its accent.
        a = k - 1 if k > pos and unicodedata.combining(text[k]) else k
        regular(pos, a)
        j = k + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        plain, lower = _fold_cluster(text[a:j])
        plain_parts.append(plain)
        lower_parts.append(lower)
        starts.extend([a] * len(plain))
        ends.extend([j] * len(plain))
        pos = j
    regular(pos, n)
    return Folded(text, "".join(plain_parts), "".join(lower_parts), tuple(starts), tuple(ends))


def fold_plain(text: str) -> str:
    """Fold a pattern or a word the same way posts are folded."""
    return fold(text).plain
