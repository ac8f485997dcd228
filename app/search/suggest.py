""""Did you mean": spelling suggestions for the database backends, from the indexed vocabulary.

The database backends forgive accents, case, plural endings and unfinished
words, but not typos (Meilisearch does: one typo from 4 letters, two from 8).
When a query finds nothing, each term that no indexed word starts with is
replaced by the closest indexed word (Damerau-Levenshtein distance 1, or 2
from 8 letters, the same thresholds as Meilisearch) that shares its first
letter: typos in the first letter are rare, and that bound keeps the candidate
list to a few thousand words even on a large vocabulary.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

MAX_CANDIDATES = 20000
_HIGH = "\U0010ffff"


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), stopping past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed(term: str) -> int:
    return 2 if len(term) >= 8 else 1 if len(term) >= 4 else 0


def _known_prefix(session: Session, term: str) -> bool:
    return session.scalar(text("SELECT 1 FROM search_fts_terms WHERE term >= :low AND term < :high LIMIT 1"),
                          {"low": term, "high": term + _HIGH}) is not None


def _closest(session: Session, term: str) -> str | None:
    limit = _allowed(term)
    if not limit:
        return None
    candidates = session.scalars(
        text("SELECT term FROM search_fts_terms WHERE term >= :low AND term < :high "
             "AND length(term) BETWEEN :shortest AND :longest LIMIT :n"),
        {"low": term[0], "high": term[0] + _HIGH, "shortest": len(term) - limit, "longest": len(term) + limit,
         "n": MAX_CANDIDATES},
    )
    best: tuple[int, int, str] | None = None
    for word in candidates:
        found = distance(term, word, limit)
        if found <= limit and (best is None or (found, abs(len(word) - len(term)), word) < best):
            best = (found, abs(len(word) - len(term)), word)
    return best[2] if best else None


def suggest(session: Session, query_terms: list[str]) -> list[str]:
    """A corrected query (as one string in a list), or nothing when no term looks misspelt."""
    corrected, changed = [], False
    for term in query_terms:
        replacement = None if _known_prefix(session, term) else _closest(session, term)
        corrected.append(replacement or term)
        changed = changed or replacement is not None
    return [" ".join(corrected)] if changed else []
