"""Cue classes: which part each word of a post can play in a frame.

``lexicons/cues.toml`` lists, per class and language, words, stems ("arret*")
and short phrases ("d'un coup"). A post's tokens are looked up once each
(exact word, then stems, then one typo away); phrases are matched on the
token sequence. The result is a list of ``Cue(class, first, last token)``,
which the frames read, and the learned layer uses as features.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from moderation.normalize import fold_plain
from moderation.tokens import Token, tokenize
from moderation.types import LANGUAGES

CUES_FILE = Path(__file__).parent / "lexicons" / "cues.toml"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?$")
_FUZZY_MIN = 6  # shorter words are too often another real word one letter away
_SUBSTITUTION_MIN = 8  # "cacher" is not "cachet", "lichter" is not "lighter"
_CACHE_LIMIT = 50_000


class CueError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Element:
    """One word of a cue: exact, a stem (prefix), any number, any word, or a regex."""

    kind: str  # "word" | "stem" | "num" | "any" | "re"
    text: str
    rx: re.Pattern[str] | None = None

    def matches(self, norm: str) -> bool:
        if self.kind == "word":
            return norm == self.text
        if self.kind == "stem":
            return norm.startswith(self.text)
        if self.kind == "num":
            return _NUMBER.match(norm) is not None
        if self.kind == "any":
            return True
        assert self.rx is not None
        return self.rx.fullmatch(norm) is not None


@dataclass(frozen=True, slots=True)
class Phrase:
    elements: tuple[Element, ...]
    classes: frozenset[str]


# Phrases a word may start: by their second word when it is a plain word, and the rest.
PhraseGroup = tuple[dict[str, tuple[Phrase, ...]], tuple[Phrase, ...]]
Lookup = tuple[frozenset[str], tuple[PhraseGroup, ...]]


class Cue(NamedTuple):
    cls: str
    first: int  # token index
    last: int  # token index, inclusive
    negated: bool = False


def _elements(entry: str) -> tuple[Element, ...]:
    out: list[Element] = []
    for part in entry.split():
        if part == "?":
            out.append(Element("any", "?"))
        elif part == "#":
            out.append(Element("num", "#"))
        elif part.startswith("re:"):
            out.append(Element("re", part, re.compile(part[3:])))
        elif part.startswith("#") and len(part) > 1:
            out.extend((Element("num", "#"), *_elements(part[1:])))
        elif part.endswith("*") and len(part) > 1:
            stem = fold_plain(part[:-1])
            tokens = [t.norm for t in tokenize(stem)[0]]
            if not tokens:
                out.append(Element("stem", stem))  # "@*": any handle
                continue
            out.extend(Element("word", t) for t in tokens[:-1])
            out.append(Element("stem", tokens[-1]))
        else:
            folded = fold_plain(part)
            tokens = [t.norm for t in tokenize(folded)[0]]
            if not tokens:
                raise CueError(f"cue {entry!r}: {part!r} holds no word")
            out.extend(Element("word", t) for t in tokens)
    return tuple(out)


def _edit_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance at most 1 (substitutions only in long words)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if i == la:
            return True
        if a[i + 1 :] == b[i + 1 :]:
            return la >= _SUBSTITUTION_MIN  # substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]  # transposition
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _deletes(word: str) -> Iterable[str]:
    return (word[:i] + word[i + 1 :] for i in range(len(word)))


class CueIndex:
    """Every cue of cues.toml that applies to posts in one primary language."""

    def __init__(self, raw: dict[str, dict[str, list[str]]], lang: str) -> None:
        words: dict[str, set[str]] = {}
        stems: dict[str, set[str]] = {}
        phrases: dict[tuple[str, str], list[Phrase]] = {}
        for cls, lists in raw.items():
            for entry_lang, entries in lists.items():
                if entry_lang not in (*LANGUAGES, "any", "doc"):
                    raise CueError(f"class {cls}: unknown list {entry_lang!r}")
                if entry_lang == "doc":
                    continue
                for entry in entries:
                    strict = entry.startswith("!")
                    if strict:
                        entry = entry[1:]
                        if entry_lang != lang:
                            continue
                    elements = _elements(entry)
                    if len(elements) == 1:
                        el = elements[0]
                        if el.kind == "word":
                            words.setdefault(el.text, set()).add(cls)
                        elif el.kind == "stem":
                            stems.setdefault(el.text, set()).add(cls)
                        elif el.kind == "num":
                            phrases.setdefault(("num", ""), []).append(Phrase(elements, frozenset({cls})))
                        else:
                            raise CueError(f"class {cls}: {entry!r} matches every word")
                        continue
                    head = elements[0]
                    if head.kind not in ("word", "stem", "num"):
                        raise CueError(f"class {cls}: {entry!r} must start with a word or a number")
                    key = (head.kind, head.text if head.kind != "num" else "")
                    phrases.setdefault(key, []).append(Phrase(elements, frozenset({cls})))
        self.words = {w: frozenset(c) for w, c in words.items()}
        self.stems = {s: frozenset(c) for s, c in stems.items()}
        self.max_stem = max(map(len, self.stems), default=0)
        # Phrases are looked up by their first word, then by their second when it is a plain word:
        # "je" starts hundreds of phrases, "je suis" a handful.
        self.phrases: dict[tuple[str, str], PhraseGroup] = {}
        for key, group in phrases.items():
            by_second: dict[str, list[Phrase]] = {}
            other: list[Phrase] = []
            for phrase in group:
                second = phrase.elements[1] if len(phrase.elements) > 1 else None
                if second is not None and second.kind == "word":
                    by_second.setdefault(second.text, []).append(phrase)
                else:
                    other.append(phrase)
            self.phrases[key] = ({w: tuple(p) for w, p in by_second.items()}, tuple(other))
        self.stem_phrase_keys = {text for kind, text in self.phrases if kind == "stem"}
        self.max_stem_phrase_key = max(map(len, self.stem_phrase_keys), default=0)
        self.max_fuzzy_word = max((len(w) for w in self.words if len(w) >= _FUZZY_MIN and w.isalpha()), default=0)
        self._fuzzy: dict[str, set[str]] = {}
        for word in self.words:
            if len(word) >= _FUZZY_MIN and word.isalpha():
                self._fuzzy.setdefault(word, set()).add(word)
                for d in _deletes(word):
                    self._fuzzy.setdefault(d, set()).add(word)
        self._cache: dict[str, Lookup] = {}

    def _stem_classes(self, norm: str) -> set[str]:
        found: set[str] = set()
        for n in range(3, min(len(norm), self.max_stem) + 1):
            classes = self.stems.get(norm[:n])
            if classes:
                found |= classes
        return found

    def _fuzzy_classes(self, norm: str) -> set[str]:
        # Every step is bounded by the longest cue, not by the word: a 100,000-letter "word" cost
        # O(n²) (10 s of a core on /api/v1/moderation/check, open to visitors) for the same answer.
        found: set[str] = set()
        if len(norm) <= self.max_fuzzy_word + 1:  # longer: one edit cannot reach any cue word
            candidates: set[str] = set(self._fuzzy.get(norm, ()))
            for d in _deletes(norm):
                candidates |= self._fuzzy.get(d, set())
            for word in candidates:
                if _edit_one(norm, word):
                    found |= self.words[word]
        if not found:
            # A typo inside a stemmed word: "medicamments" -> "medicam*", "suicdaire" -> "suicid*".
            # Deleting a letter past the longest stem leaves every stem-long prefix as it was.
            for d in _deletes(norm[: self.max_stem + 1]):
                found |= self._stem_classes(d)
        return found

    def lookup(self, norm: str) -> Lookup:
        """The classes of one word, and the phrase groups it may start (by second word, and the rest)."""
        hit = self._cache.get(norm)
        if hit is not None:
            return hit
        classes = set(self.words.get(norm, ()))
        classes |= self._stem_classes(norm)
        if not classes and len(norm) >= _FUZZY_MIN and norm.isalpha():
            classes = self._fuzzy_classes(norm)
        groups = []
        if ("word", norm) in self.phrases:
            groups.append(self.phrases[("word", norm)])
        if self.stem_phrase_keys:
            for n in range(3, min(len(norm), self.max_stem_phrase_key) + 1):
                if norm[:n] in self.stem_phrase_keys:
                    groups.append(self.phrases[("stem", norm[:n])])
        if _NUMBER.match(norm) and ("num", "") in self.phrases:
            groups.append(self.phrases[("num", "")])
        result = (frozenset(classes), tuple(groups))
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()  # bounded memory on a long-running worker
        self._cache[norm] = result
        return result


NEGATION = "NEG"


def annotate(tokens: list[Token], index: CueIndex, lang: str) -> list[Cue]:
    """Every cue in the post; a cue right after a negation is marked negated."""
    found: list[tuple[str, int, int]] = []
    n = len(tokens)
    neg_at: list[int] = []
    cache = index._cache
    for i, tok in enumerate(tokens):
        hit = cache.get(tok.norm)
        classes, groups = hit if hit is not None else index.lookup(tok.norm)
        for cls in classes:
            found.append((cls, i, i))
            if cls == NEGATION:
                neg_at.append(i)
        if not groups:
            continue
        nxt = tokens[i + 1].norm if i + 1 < n and tokens[i + 1].sent == tok.sent else None
        for by_second, other in groups:
            candidates = by_second.get(nxt, ()) if nxt is not None else ()
            for phrase in (*candidates, *other):
                els = phrase.elements
                j = i + len(els) - 1
                if j >= n or tokens[j].sent != tok.sent:
                    continue
                for k in range(1, len(els)):
                    if not els[k].matches(tokens[i + k].norm):
                        break
                else:
                    found.extend((cls, i, j) for cls in phrase.classes)
    if not found:
        return []
    # A negation written as a phrase ("c'est pas que", "not that") negates from its last word.
    neg_at.extend(j for cls, i, j in found if cls == NEGATION and j > i)
    if not neg_at:
        return [Cue(cls, i, j, False) for cls, i, j in found]
    # negated_at[i]: a negation among the four words before token i, in its sentence.
    negated_at = [False] * (n + 1)
    for k in neg_at:
        sent = tokens[k].sent
        for i in range(k + 1, min(n, k + 5)):
            if tokens[i].sent != sent:
                break
            negated_at[i] = True
    after = lang == "nl"  # Dutch puts the negation after the verb: "ik stop niet", "neem ze niet"
    negs = set(neg_at)
    cues = []
    for cls, i, j in found:
        negated = False
        if cls != NEGATION:
            negated = negated_at[i] or (
                after and (j + 1) in negs and j + 1 < n and tokens[j + 1].sent == tokens[i].sent
            )
        cues.append(Cue(cls, i, j, negated))
    return cues


def read_cues(path: Path = CUES_FILE) -> dict[str, dict[str, list[str]]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    classes = data.get("class", {})
    if not classes:
        raise CueError(f"{path.name}: no [class.*] tables")
    return {name: {k: list(v) if not isinstance(v, str) else [] for k, v in lists.items()}
            for name, lists in classes.items()}


@lru_cache(maxsize=4)
def get_index(lang: str) -> CueIndex:
    return CueIndex(read_cues(), lang)
