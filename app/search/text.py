"""Query terms and snippets, shared by the database backends.

Folding is the same on both sides (app.folding): lower case, no diacritics, so
"lormétazépam", "Lormetazepam" and "LORMETAZEPAM" are one word. Each word is
cut to its Snowball stem (French, Dutch or English: the gentlest cut any of them
makes) and matched as a prefix, which forgives "acouphène"/"acouphènes",
"klacht"/"klachten", "tremblement"/"tremblements" and an unfinished last word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from html import escape

import snowballstemmer

from app.folding import fold, strip_accents
from app.plain_text import strip_bidi_overrides

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
STOPWORDS = frozenset(
    "le la les un une des de du et ou à au aux en dans pour sur avec je tu il elle on nous vous ils elles "
    "ce ça cette mon ma mes ton ta tes son sa ses qui que quoi est suis pas ne plus "
    "de het een en of in op met voor van te ik je jij hij zij we wij jullie ze is ben niet wat die dat "
    "the a an and or of in on to for with i you he she we they it is am are not my your".split()
)


_INDEX_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r"\S+")


def index_words(text: str) -> set[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) makes of a text."""
    return {strip_accents(word) for word in _INDEX_WORD.findall(text.lower())}


@cache
def _stemmers() -> tuple[snowballstemmer.stemmer, ...]:
    return tuple(snowballstemmer.stemmer(name) for name in ("french", "dutch", "english"))


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The gentlest Snowball cut of a folded word: its longest shorter stem that is a prefix of it.

    Threads mix languages, so the French, Dutch and English stemmers are all
    asked: "klachten" -> "klacht" (Dutch), "palpitations" -> "palpitation"
    (Dutch) rather than "palpit". A stem that rewrites letters (Dutch "dagen" ->
    "daag") is not a prefix and is not used: terms are matched as prefixes of
    the indexed words. With no usable cut, the word stays whole.
    """
    cuts = [cut for cut in (s.stemWord(word) for s in _stemmers()) if cut and cut != word and word.startswith(cut)]
    return max(cuts, key=len) if cuts else word


def words(query: str) -> list[str]:
    """The query's folded words, stopwords dropped unless nothing else is left (at most MAX_TERMS)."""
    found = [fold(w) for w in _WORD.findall(query)]
    kept = [w for w in found if w not in STOPWORDS] or found
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def terms(query: str) -> list[str]:
    """The search terms: each word's stem, matched as a prefix."""
    return list(dict.fromkeys(stem(word) for word in words(query)))


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _folded_with_map(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the index in the original."""
    # Every character of the text is in the table, unchanged ones too: str.translate looks each
    # one up, and a character missing from a dict costs it a caught KeyError (2.5 times slower).
    table = {ord(ch): _fold_char(ch) for ch in set(text)}
    if all(len(folded_ch) == 1 for folded_ch in table.values()):
        # every character folds to one (most texts): same positions, folded at C speed
        return text.translate(table), range(len(text))
    chars: list[str] = []
    index: list[int] = []
    for position, ch in enumerate(text):
        for part in _fold_char(ch):
            chars.append(part)
            index.append(position)
    return "".join(chars), index


@lru_cache(maxsize=1024)
def _words_starting_with(query_terms: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words (runs of \\w) that begin with one of the terms."""
    alternatives = "|".join(re.escape(term) for term in sorted(query_terms, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + alternatives + r")\w*")


def snippet(text: str, query_terms: list[str], *, words: int = 30) -> str:
    """An HTML-escaped excerpt around the first match, each matching word in <mark>.

    Without text-direction embeddings, overrides and isolates (in posts saved before they were
    refused): cut out of their post, they would reorder the page's text around the excerpt.
    """
    text = strip_bidi_overrides(text)
    folded, index = _folded_with_map(text)
    spans = [(index[match.start()], index[match.end() - 1] + 1)
             for match in _words_starting_with(tuple(query_terms)).finditer(folded)] if query_terms else []
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return ""
    first = spans[0][0] if spans else 0
    start_token = next((i for i, t in enumerate(tokens) if t.end() > first), 0)
    start_token = max(0, start_token - words // 3)
    end_token = min(len(tokens), start_token + words)
    start, end = tokens[start_token].start(), tokens[end_token - 1].end()
    out: list[str] = ["… " if start_token > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    if end_token < len(tokens):
        out.append(" …")
    return "".join(out)


def marked_to_html(text: str, open_mark: str, close_mark: str) -> str:
    """Escape an engine's highlighted text (without text-direction controls: see `snippet`), then turn its
    private markers into <mark>."""
    escaped = escape(strip_bidi_overrides(text))
    return escaped.replace(escape(open_mark), "<mark>").replace(escape(close_mark), "</mark>")
