"""Cue classes: which part each word of a post can play in a frame.

``lexicons/cues.toml`` lists, per class and language, words, stems ("arret*")
and short phrases ("d'un coup"). A post's tokens are looked up once each
(exact word, then stems, then -- for the classes listed under ``fuzzy`` --
one typo away); phrases are matched on the token sequence. A phrase written
``-phrase`` cancels its class on the words it covers ("over de" is not a
surplus in Dutch), and a rejected alternative (class ALT: "au lieu de",
"in plaats van", "instead of") turns off the act that follows it, as a
negation does. The result is a list of ``Cue(class, first, last token)``,
which the frames read, and the learned layer uses as features.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, cast

from moderation.normalize import fold_plain
from moderation.tokens import Token, tokenize
from moderation.types import LANGUAGES

CUES_FILE = Path(__file__).parent / "lexicons" / "cues.toml"
# "#" in a cue: a number in digits or a small one in words ("trois médecins", "in vijf dagen", "two
# GPs"). Not the words that are also articles or other words: un, une, een, one, neuf, elf, ten.
_NUMBER = re.compile(
    r"(?:\d+(?:[.,]\d+)?|deux|trois|quatre|cinq|six|sept|huit|dix|onze|douze|quinze|vingt|trente|quarante|"
    r"twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|vijftien|twintig|dertig|veertig|"
    r"two|three|four|five|six|seven|eight|nine|twelve|fifteen|twenty|thirty|forty)$"
)
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
    cancel: bool = False  # "-over de": the words it covers do not play this class
    # The words after the first, when all are plain words: compared as a list, in one step.
    rest: list[str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if all(el.kind == "word" for el in self.elements[1:]):
            object.__setattr__(self, "rest", [el.text for el in self.elements[1:]])


# Phrases a word may start: by their second word when it is a plain word, and the rest.
PhraseGroup = tuple[dict[str, tuple[Phrase, ...]], tuple[Phrase, ...]]
Lookup = tuple[frozenset[str], tuple[PhraseGroup, ...]]
# The lookup of a word that plays no part and starts no phrase (most words): one shared object,
# so a post's words with nothing to say are skipped by identity.
NOTHING: Lookup = (frozenset(), ())


class Cue(NamedTuple):
    cls: str
    first: int  # token index
    last: int  # token index, inclusive
    negated: bool = False


# "won t need", "i m done": cue files write apostrophes as spaces; posts' "won't", "I'm"
# become "will not", "i am" (tokens.py), so the entry is read the same way.
_CONTRACTED = re.compile(r"(?<![\w'])(\w+) (t|m|re|ve|ll)(?![\w':])")


def _elements(entry: str, lang: str | None = None) -> tuple[Element, ...]:
    """The words of a cue entry, spelled out as posts in ``lang`` are (``tokens.LANG_EXPANSIONS``)."""
    entry = _CONTRACTED.sub(r"\1'\2", entry)
    out: list[Element] = []
    for part in entry.split():
        if part == "?":
            out.append(Element("any", "?"))
        elif part == "#":
            out.append(Element("num", "#"))
        elif part.startswith("re:"):
            out.append(Element("re", part, re.compile(part[3:])))
        elif part.startswith("#") and len(part) > 1:
            out.extend((Element("num", "#"), *_elements(part[1:], lang)))
        elif part.endswith("*") and len(part) > 1:
            stem = fold_plain(part[:-1])
            tokens = [t.norm for t in tokenize(stem, lang)[0]]
            if not tokens:
                out.append(Element("stem", stem))  # "@*": any handle
                continue
            out.extend(Element("word", t) for t in tokens[:-1])
            out.append(Element("stem", tokens[-1]))
        else:
            folded = fold_plain(part)
            tokens = [t.norm for t in tokenize(folded, lang)[0]]
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

    def __init__(self, raw: dict[str, dict[str, list[str]]], lang: str,
                 fuzzy: frozenset[str] | None = None) -> None:
        # Classes whose words also match one typo away (None: every class).
        self.fuzzy = fuzzy
        words: dict[str, set[str]] = {}
        stems: dict[str, set[str]] = {}
        patterns: list[tuple[re.Pattern[str], str]] = []
        not_words: dict[str, set[str]] = {}
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
                    cancel = entry.startswith("-")
                    if cancel:
                        entry = entry[1:]
                    elements = _elements(entry, entry_lang if entry_lang in LANGUAGES else None)
                    if cancel:
                        first = elements[0].kind
                        if first not in ("word", "stem") or (len(elements) == 1 and first != "word"):
                            raise CueError(f"class {cls}: -{entry!r} must be a word or a phrase starting with a word")
                        if len(elements) == 1:
                            not_words.setdefault(elements[0].text, set()).add(cls)  # "-apotheekprijs"
                            continue
                        key = (elements[0].kind, elements[0].text)
                        phrases.setdefault(key, []).append(Phrase(elements, frozenset({cls}), cancel=True))
                        continue
                    if len(elements) == 1:
                        el = elements[0]
                        if el.kind == "word":
                            words.setdefault(el.text, set()).add(cls)
                        elif el.kind == "stem":
                            stems.setdefault(el.text, set()).add(cls)
                        elif el.kind == "num":
                            phrases.setdefault(("num", ""), []).append(Phrase(elements, frozenset({cls})))
                        elif el.kind == "re" and el.rx is not None:
                            patterns.append((el.rx, cls))  # "re:04[5-9]\\d": a word of that shape
                        else:
                            raise CueError(f"class {cls}: {entry!r} matches every word")
                        continue
                    head = elements[0]
                    if head.kind not in ("word", "stem", "num"):
                        raise CueError(f"class {cls}: {entry!r} must start with a word or a number")
                    key = (head.kind, head.text if head.kind != "num" else "")
                    phrases.setdefault(key, []).append(Phrase(elements, frozenset({cls})))
        self.words = {w: frozenset(c) for w, c in words.items()}
        self.patterns = tuple(patterns)
        self.not_words = {w: frozenset(c) for w, c in not_words.items()}
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
        for word, word_classes in self.words.items():
            if fuzzy is not None and not word_classes & fuzzy:
                continue
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
            # Never the first letter: "neuroloog" is not a typo of "euro*". Deleting a letter past
            # the longest stem leaves every stem-long prefix as it was.
            for i in range(1, min(len(norm), self.max_stem + 1)):
                found |= self._stem_classes(norm[:i] + norm[i + 1 :])
        if self.fuzzy is not None:
            found &= self.fuzzy
        return found

    def lookup(self, norm: str) -> Lookup:
        """The classes of one word, and the phrase groups it may start (by second word, and the rest)."""
        hit = self._cache.get(norm)
        if hit is not None:
            return hit
        classes = set(self.words.get(norm, ()))
        classes |= self._stem_classes(norm)
        classes.update(cls for rx, cls in self.patterns if rx.fullmatch(norm))
        if not classes and len(norm) >= _FUZZY_MIN and norm.isalpha():
            classes = self._fuzzy_classes(norm)
        classes -= self.not_words.get(norm, frozenset())
        groups = []
        if ("word", norm) in self.phrases:
            groups.append(self.phrases[("word", norm)])
        if self.stem_phrase_keys:
            for n in range(3, min(len(norm), self.max_stem_phrase_key) + 1):
                if norm[:n] in self.stem_phrase_keys:
                    groups.append(self.phrases[("stem", norm[:n])])
        if _NUMBER.match(norm) and ("num", "") in self.phrases:
            groups.append(self.phrases[("num", "")])
        result = (frozenset(classes), tuple(groups)) if classes or groups else NOTHING
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()  # bounded memory on a long-running worker
        self._cache[norm] = result
        return result


NEGATION = "NEG"
# A rejected alternative ("au lieu de les jeter", "in plaats van ze weg te gooien",
# "instead of tapering") turns off the acts right after it, not the things named.
ALTERNATIVE = "ALT"
ALT_TARGETS = frozenset({"STOP", "THROW", "BIN", "TAPER", "ABRUPT", "INGEST", "RETURN"})
# Who speaks, asks or is spoken of is never negated: "il ne connaît rien aux benzos, hij zegt
# gewoon 'stop'" still reports someone else's words.
NOT_NEGATED = frozenset({NEGATION, ALTERNATIVE, "REPORTED", "THIRD", "PAST_FAR", "GROUP", "CLOCK"})
# Scorn is said of a subject: a negation before the copula belongs to the subject's own clause
# ("people who can't sleep without pills are scum", "ceux qui ne dorment pas sans cachet sont de
# la racaille"); one after it denies the scorn ("they are not scum", "ce ne sont pas des parasites").
PREDICATED = frozenset({"SCORN"})
_PREPOSITIONS = frozenset({"zonder"})
# "and" opening a new clause with its own subject or time ("zonder slaap en nu sta ik op het dak", "sans
# rien et je tiens"): a negation before it does not reach past it.
_CONJUNCTIONS = frozenset({"en", "et", "and", "maar", "mais", "but"})
_CLAUSE_OPENERS = frozenset({"ik", "k", "ge", "gij", "jij", "hij", "zij", "we", "wij", "nu", "il", "elle", "ils",
                             "elles", "on", "nous", "tu", "maintenant", "i", "he", "she", "they", "now"})
COPULAS = frozenset({"is", "are", "s", "re", "was", "were", "est", "sont", "etait", "etaient", "zijn", "zijt",
                     "waren", "das"})


def annotate(tokens: list[Token], index: CueIndex, lang: str, norms: list[str] | None = None,
             sents: list[int] | None = None, clauses: frozenset[int] = frozenset()) -> list[Cue]:
    """Every cue in the post; a cue right after a negation is marked negated.

    ``norms`` and ``sents`` are the tokens' words and sentences, when the caller has them;
    ``clauses`` the tokens after a comma (``tokens.clause_marks``): a negation does not reach
    past one ("sans ordonnance, appelez votre médecin").
    """
    found: list[tuple[str, int, int]] = []
    cancels: list[tuple[str, int, int]] = []
    n = len(tokens)
    cache = index._cache
    norms = [tok.norm for tok in tokens] if norms is None else norms
    sents = [tok.sent for tok in tokens] if sents is None else sents
    append = found.append
    seen = list(map(cache.get, norms))
    looked: list[Lookup] = (
        [hit if hit is not None else index.lookup(norms[k]) for k, hit in enumerate(seen)]
        if None in seen  # words this process has not seen yet
        else cast("list[Lookup]", seen)
    )
    for i in [k for k, hit in enumerate(looked) if hit is not NOTHING]:
        classes, groups = looked[i]
        for cls in classes:
            append((cls, i, i))
        if not groups:
            continue
        sent = sents[i]
        nxt = norms[i + 1] if i + 1 < n and sents[i + 1] == sent else None
        for by_second, other in groups:
            # Most words start phrases, few of them here: skip the empty lists without building a pair.
            first = by_second.get(nxt) if nxt is not None else None
            tried: tuple[tuple[Phrase, ...], ...]
            if first is None:
                if not other:
                    continue
                tried = (other,)
            else:
                tried = (first, other) if other else (first,)
            for phrases in tried:
                for phrase in phrases:
                    els = phrase.elements
                    j = i + len(els) - 1
                    if j >= n or sents[j] != sent:
                        continue
                    rest = phrase.rest
                    if rest is not None:
                        if norms[i + 1 : j + 1] != rest:
                            continue
                    elif not _rest_matches(els, norms, i):
                        continue
                    if phrase.cancel:
                        cancels.extend((cls, i, j) for cls in phrase.classes)
                    else:
                        found.extend((cls, i, j) for cls in phrase.classes)
    if cancels:
        found = [f for f in found
                 if not any(f[0] == cls and i <= f[1] and f[2] <= j for cls, i, j in cancels)]
    if not found:
        return []
    # A negation written as a phrase ("c'est pas que", "not that") negates from its last word.
    neg_at = [j for cls, i, j in found if cls == NEGATION]
    alt_at = [j for cls, i, j in found if cls == ALTERNATIVE]
    new = tuple.__new__  # Cue(...) without its Python-level __new__: one per cue of every post
    if not neg_at and not alt_at:
        return [new(Cue, (cls, i, j, False)) for cls, i, j in found]
    opened = frozenset(k + 1 for k in range(len(norms) - 1)
                       if norms[k] in _CONJUNCTIONS and norms[k + 1] in _CLAUSE_OPENERS)
    # a negation among the four words before, in the clause
    negated_at = _after(sents, neg_at, clauses | opened if opened else clauses)
    rejected_at = _after(sents, alt_at, clauses, 6)  # "zonde om in de vuilbak te kieperen"
    after = lang == "nl"  # Dutch puts the negation after the verb: "ik stop niet", "neem ze niet"
    # ... but "zonder" is a preposition: it denies what follows ("dag 1 zonder", "stop zonder afbouw").
    negs = {k for k in neg_at if norms[k] not in _PREPOSITIONS}
    cues = []
    for cls, i, j in found:
        negated = False
        if cls not in NOT_NEGATED:
            negated = negated_at[i] or (
                after and (j + 1) in negs and j + 1 < n and sents[j + 1] == sents[i] and (j + 1) not in clauses
            ) or (cls in ALT_TARGETS and rejected_at[i])
            if negated and cls in PREDICATED and negated_at[i]:
                last_neg = max(k for k in neg_at if k < i)
                negated = not any(norms[m] in COPULAS for m in range(last_neg + 1, i))
        cues.append(new(Cue, (cls, i, j, negated)))
    return cues


def _rest_matches(els: tuple[Element, ...], norms: list[str], i: int) -> bool:
    # A plain loop: all() over a generator costs more, and this runs for every phrase tried.
    for k in range(1, len(els)):  # noqa: SIM110
        if not els[k].matches(norms[i + k]):
            return False
    return True


def _after(sents: list[int], marks: list[int], clauses: frozenset[int] = frozenset(), reach: int = 4) -> list[bool]:
    """For each token: one of ``marks`` stands among the ``reach`` words before it, in its clause."""
    n = len(sents)
    flags = [False] * (n + 1)
    for k in marks:
        sent = sents[k]
        for i in range(k + 1, min(n, k + reach + 1)):
            if sents[i] != sent or i in clauses:
                break
            flags[i] = True
    return flags


@lru_cache(maxsize=2)
def _read(path: Path) -> tuple[dict[str, dict[str, list[str]]], frozenset[str] | None]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    classes = data.get("class", {})
    if not classes:
        raise CueError(f"{path.name}: no [class.*] tables")
    fuzzy = frozenset(data["fuzzy"].get("classes", ())) if "fuzzy" in data else None
    unknown = (fuzzy or frozenset()) - set(classes)
    if unknown:
        raise CueError(f"{path.name}: fuzzy names unknown classes {sorted(unknown)}")
    return ({name: {k: list(v) if not isinstance(v, str) else [] for k, v in lists.items()}
             for name, lists in classes.items()}, fuzzy)


def read_cues(path: Path = CUES_FILE) -> dict[str, dict[str, list[str]]]:
    return _read(path)[0]


def fuzzy_classes(path: Path = CUES_FILE) -> frozenset[str] | None:
    """The classes whose words also match one typo away (cues.toml, ``[fuzzy]``; None: all)."""
    return _read(path)[1]


@lru_cache(maxsize=4)
def get_index(lang: str) -> CueIndex:
    return CueIndex(read_cues(), lang, fuzzy_classes())
