"""Query terms and snippets, shared by the database backends.

Folding is the same on both sides: lower case, no diacritics, so "lormétazépam",
"Lormetazepam" and "LORMETAZEPAM" are one word. Plural endings are trimmed and
every term is matched as a prefix, which forgives "acouphène"/"acouphènes",
"klacht"/"klachten" and an unfinished last word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
STOPWORDS = frozenset(
    "le la les un une des de du et ou à au aux en dans pour sur avec je tu il elle on nous vous ils elles "
    "ce ça cette mon ma mes ton ta tes son sa ses qui que quoi est suis pas ne plus "
    "de het een en of in op met voor van te ik je jij hij zij we wij jullie ze is ben niet wat die dat "
    "the a an and or of in on to for with i you he she we they it is am are not my your".split()
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_INDEX_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def index_words(text: str) -> set[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) makes of a text."""
    words = _INDEX_WORD.findall(text.lower())
    return {"".join(ch for ch in unicodedata.normalize("NFD", w) if not unicodedata.combining(ch)) for w in words}


def _trim(term: str) -> str:
    """Strip the commonest FR/NL/EN plural endings so the prefix also finds the singular."""
    if len(term) > 5 and term.endswith("en") and not term.endswith("ien"):
        return term[:-2]  # klachten → klacht, dagen → dag
    if len(term) > 4 and term[-1] in "sx":
        return term[:-1]  # acouphenes → acouphene, nights → night
    return term


def terms(query: str) -> list[str]:
    """Folded, trimmed search terms (stopwords dropped unless nothing else is left)."""
    words = [fold(w) for w in _WORD.findall(query)]
    kept = [w for w in words if w not in STOPWORDS] or words
    seen: list[str] = []
    for word in kept:
        trimmed = _trim(word)
        if trimmed and trimmed not in seen:
            seen.append(trimmed)
    return seen[:MAX_TERMS]


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in the original."""
    chars: list[str] = []
    index: list[int] = []
    for position, ch in enumerate(text):
        for part in _fold_char(ch):
            chars.append(part)
            index.append(position)
    return "".join(chars), index


def snippet(text: str, query_terms: list[str], *, words: int = 30) -> str:
    """An HTML-escaped excerpt around the first match, each matching word in <mark>."""
    folded, index = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(folded):
        if any(match.group().startswith(term) for term in query_terms):
            spans.append((index[match.start()], index[match.end() - 1] + 1))
    tokens = list(re.finditer(r"\S+", text))
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
    """Escape an engine's highlighted text, then turn its private markers into <mark>."""
    return escape(text).replace(escape(open_mark), "<mark>").replace(escape(close_mark), "</mark>")
