"""Accent and case folding, the one way every part of the app compares words.

Search (queries and indexed words), pseudonyms (look-alike skeletons) and
medication names (spelling-tolerant lookup) all fold with these functions, so
"Lormétazépam", "lormetazepam" and "LORMETAZEPAM" meet everywhere. The
moderation engine keeps its own folding: it maps offsets back to the original
text and depends on nothing in app/.
"""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """The text without combining marks, after compatibility decomposition: "é" -> "e", "ﬁ" -> "fi"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Lormétazépam" -> "lormetazepam"."""
    return strip_accents(text.casefold())
