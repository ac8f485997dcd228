"""The one interface every search engine implements, and the values it trades in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from app import pagination

# Results are capped: nobody pages past this, and counting every match of a common
# word across a million posts would cost more than the whole page.
MAX_RESULTS = 1000


@dataclass(frozen=True)
class Document:
    """What the index holds for one published post in a published thread."""

    post_id: int
    thread_id: int
    title: str
    body: str  # plain text: never stored HTML
    lang: str
    category_id: int
    category: str  # slug
    visibility: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SearchQuery:
    text: str
    lang: str | None = None
    category: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = 20
    members_visible: bool = False  # may the viewer see members-only categories?
    suggest: bool = True  # offer "did you mean" when nothing matches

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Hit:
    thread_id: int
    post_id: int
    title: str
    snippet_html: str
    lang: str
    category: str
    created_at: dt.datetime


@dataclass
class SearchPage:
    items: list[Hit]
    page: int
    pages: int
    total: int
    fallback: bool = False  # the configured engine did not answer; the database did
    suggestions: list[str] = field(default_factory=list)


class SearchUnavailable(Exception):
    """The engine did not answer (down, unreachable, misconfigured)."""


class SearchBackend(Protocol):
    name: str

    def upsert(self, session: Session, documents: list[Document]) -> None:
        """Add or replace documents."""

    def delete(self, session: Session, post_ids: list[int]) -> None:
        """Remove documents (absent ids are fine: applying a change twice is harmless)."""

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        """Matching posts, relevance then recency, filtered against the live tables."""

    def indexed_ids(self, session: Session) -> set[int]:
        """Every post id in the index (for `forum search check`)."""

    def clear(self, session: Session) -> None:
        """Empty the index (before a full rebuild)."""


def pages_for(total: int, size: int) -> int:
    """Pages of results; nobody pages past MAX_RESULTS."""
    return pagination.pages_for(min(total, MAX_RESULTS), size)
