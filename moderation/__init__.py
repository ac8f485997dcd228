"""Trèfle · Klaver wording guidelines and the engine that applies them.

Pure Python: no web, no database, nothing from ``app``. The web app calls
``check`` on every post and renders the guidelines page from ``load_lexicon``.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation import overlay as _overlay
from moderation.engine import get_engine
from moderation.lexicon import LexiconError, load_lexicon
from moderation.model import use_model_dir
from moderation.overlay import Overlay, build_entry, current_overlay, entry_matches, layered, make_overlay
from moderation.types import CATEGORIES, LANGUAGES, SEVERITIES, Entry, Finding, Lexicon

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "SEVERITIES",
    "Entry",
    "Finding",
    "Lexicon",
    "LexiconError",
    "Overlay",
    "build_entry",
    "check",
    "current_overlay",
    "effective_lexicon",
    "entry_matches",
    "install_overlay",
    "load_lexicon",
    "make_overlay",
    "use_model_dir",
]


def effective_lexicon(lang: str) -> Lexicon:
    """The language's lexicon as the engine applies it now: the files with the installed overlay."""
    return layered(load_lexicon(lang), current_overlay())


def check(
    text: str, lang: str, *, languages: Sequence[str] | None = None, use_model: bool = True
) -> list[Finding]:
    """Findings for one post, ordered by position, offsets into ``text``.

    ``lang`` is the post's (primary) language: it picks the explanation's
    language when several lexicons match the same words. ``languages``
    restricts which lexicons run (default: all three, for mixed FR/NL posts).
    ``use_model=False`` leaves out the learned layer (rules and frames only).
    """
    if lang not in LANGUAGES:
        raise LexiconError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    langs = tuple(languages) if languages is not None else LANGUAGES
    return get_engine(langs).check(text, lang, use_model=use_model)


def install_overlay(overlay: Overlay) -> None:
    """Apply these extra entries from the next check on.

    The engine for them is compiled first, so no member's post waits for it;
    checks running meanwhile use the previous overlay.
    """
    get_engine(LANGUAGES, overlay)
    _overlay.install_overlay(overlay)
