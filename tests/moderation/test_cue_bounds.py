"""A cue lookup costs what the longest cue costs, not what the word costs (audit2).

One 100,000-letter "word" sent to /api/v1/moderation/check (open to visitors) held a core for
10 s: the typo search built every one-letter deletion of the whole word, twice (O(n²)).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from moderation import cues
from moderation.cues import CueIndex, _deletes, _edit_one, read_cues


def _reference_classes(index: CueIndex, norm: str) -> frozenset[str]:
    """The lookup's classes as written before the bound: every deletion of the whole word (but
    never of its first letter inside a stem: "neuroloog" is not a typo of "euro*"), kept to the
    classes that take typos."""
    classes = set(index.words.get(norm, ())) | index._stem_classes(norm)
    if not classes and len(norm) >= cues._FUZZY_MIN and norm.isalpha():
        candidates = set(index._fuzzy.get(norm, ()))
        for d in _deletes(norm):
            candidates |= index._fuzzy.get(d, set())
        classes = {c for word in candidates if _edit_one(norm, word) for c in index.words[word]}
        if not classes:
            for i in range(1, len(norm)):
                classes |= index._stem_classes(norm[:i] + norm[i + 1 :])
        if index.fuzzy is not None:
            classes &= index.fuzzy
    return frozenset(classes)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_very_long_word_costs_no_more_than_the_longest_cue(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    index = CueIndex(read_cues(), lang)
    built = 0

    def counting(word: str) -> Iterable[str]:
        nonlocal built
        for d in _deletes(word):
            built += len(d)
            yield d

    monkeypatch.setattr(cues, "_deletes", counting)
    for letter in "bzé":
        index.lookup(letter * 20_000)
    assert built < 100_000, f"{built} characters built for three 20,000-letter words"


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_bounded_lookup_finds_what_the_full_one_found(lang: str) -> None:
    index = CueIndex(read_cues(), lang)
    words = {w for w in index.words if w.isalpha()} | {s + "ment" for s in index.stems}
    typos = set()
    for word in sorted(words)[:400]:
        typos |= {word[:i] + word[i + 1:] for i in range(len(word))}  # a letter left out
        typos |= {word[:i] + "x" + word[i:] for i in range(len(word))}  # one too many
        typos.add(word + "abcdefghijklmnopqrstuvwxyz" * 2)  # longer than any cue
    for norm in sorted(typos):
        assert index.lookup(norm)[0] == _reference_classes(index, norm), norm
