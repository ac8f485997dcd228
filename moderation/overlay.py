"""Entries edited outside the lexicon files, layered over them.

The files under ``lexicons/`` stay the reviewed base. A host application may
keep further entries elsewhere (the forum keeps moderators' web edits in its
database) and hand them to the engine as an ``Overlay``: an entry with a
file entry's id replaces it, a new id adds an entry, and ids in ``disabled``
are switched off. ``install_overlay`` makes it the one every later ``check``
uses; the engine knows nothing about where the entries came from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moderation.lexicon import LexiconError, load_lexicon, make_entry
from moderation.normalize import fold
from moderation.patterns import PatternError, compile_pattern, iter_matches
from moderation.types import Entry, Lexicon


@dataclass(frozen=True)
class Overlay:
    """Extra entries and switched-off ids; ``version`` names the state (engines are cached per version)."""

    version: str = ""
    entries: tuple[Entry, ...] = ()
    disabled: frozenset[str] = field(default_factory=frozenset)


EMPTY = Overlay()
_current = EMPTY
_lock = threading.Lock()


def layered(lexicon: Lexicon, overlay: Overlay) -> Lexicon:
    """The lexicon with the overlay applied: replacements stay in the file's order, additions follow."""
    own = {e.id: e for e in overlay.entries if e.lang == lexicon.lang}
    if not own and not overlay.disabled:
        return lexicon
    entries = [own.pop(e.id, e) for e in lexicon.entries]
    entries.extend(own.values())
    kept = tuple(e for e in entries if e.id not in overlay.disabled)
    return Lexicon(lang=lexicon.lang, entries=kept, macros=lexicon.macros, explanations=lexicon.explanations)


def build_entry(raw: Mapping[str, Any], lang: str) -> Entry:
    """Validate one entry as the file loader does (keys, category, severity, context, patterns).

    Raises LexiconError (or PatternError, a ValueError too) with a message that
    names the problem, so an editor can be told what to fix before anything
    reaches the engine.
    """
    lexicon = load_lexicon(lang)
    entry = make_entry(dict(raw), lang, lexicon.explanations, f"entry {raw.get('id', '?')}")
    for pattern in entry.patterns:
        compile_pattern(pattern, lexicon.macros)
    return entry


def make_overlay(version: str, entries: Iterable[Entry], disabled: Iterable[str] = ()) -> Overlay:
    return Overlay(version=version, entries=tuple(entries), disabled=frozenset(disabled))


def install_overlay(overlay: Overlay) -> None:
    """Use this overlay from the next check on (thread-safe; the engine for it is built on first use)."""
    global _current
    with _lock:
        _current = overlay


def current_overlay() -> Overlay:
    return _current


def entry_matches(entry: Entry, text: str) -> bool:
    """Whether one entry's patterns match a text (context rules aside): to try an edited entry on examples."""
    macros = load_lexicon(entry.lang).macros
    folded = fold(text)
    for source in entry.patterns:
        pattern = compile_pattern(source, macros)
        view = folded.lower if pattern.accent_sensitive else folded.plain
        if next(iter_matches(pattern.regex, view, 0, len(view)), None) is not None:
            return True
    return False


__all__ = ["EMPTY", "LexiconError", "Overlay", "PatternError", "build_entry", "current_overlay", "entry_matches",
           "install_overlay", "layered", "make_overlay"]
