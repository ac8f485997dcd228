"""Trèfle · Klaver wording guidelines and the engine that applies them.

Pure Python: no web, no database, nothing from ``app``. The web app calls
``check`` on every post and renders the guidelines page from ``load_lexicon``.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.engine import get_engine
from moderation.lexicon import LexiconError, load_lexicon
from moderation.types import CATEGORIES, LANGUAGES, SEVERITIES, Entry, Finding, Lexicon

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "SEVERITIES",
    "Entry",
    "Finding",
    "Lexicon",
    "LexiconError",
    "check",
    "load_lexicon",
]


def check(text: str, lang: str, *, languages: Sequence[str] | None = None) -> list[Finding]:
    """Findings for one post, ordered by position, offsets into ``text``.

    ``lang`` is the post's (primary) language: it picks the explanation's
    language when several lexicons match the same words. ``languages``
    restricts which lexicons run (default: all three, for mixed FR/NL posts).
    """
    if lang not in LANGUAGES:
        raise LexiconError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    langs = tuple(languages) if languages is not None else LANGUAGES
    return get_engine(langs).check(text, lang)
