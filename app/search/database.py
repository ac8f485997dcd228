"""Full-text search inside the database: SQLite FTS5 here, PostgreSQL in postgres.py; what both share.

Both keep their index in the forum's own database, so the outbox worker updates
it in the same transaction that removes the outbox rows. Every query is joined
with the live posts, threads and categories and filtered again, so a post hidden
a moment ago never shows, even before the worker ran.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, bindparam, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.forum.models import Category, Post, Thread
from app.search import text as search_text
from app.search.backend import MAX_RESULTS, Document, Hit, SearchBackend, SearchPage, SearchQuery, pages_for
from app.search.documents import start_of_day, visible_now
from app.search.suggest import suggest

OPEN, CLOSE = "\x02", "\x03"  # FTS5 snippet markers: control characters never typed in a post


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [visible_now(query.members_visible)]
    if query.lang:
        conditions.append(Thread.lang == query.lang)
    if query.category:
        conditions.append(Category.slug == query.category)
    if query.date_from:
        conditions.append(Post.created_at >= start_of_day(query.date_from))
    if query.date_to:
        conditions.append(Post.created_at < start_of_day(query.date_to + dt.timedelta(days=1)))
    return conditions


def page_query(hits: Any, query: SearchQuery) -> Any:
    """Join ranked hits with the live tables, filter, and order by relevance then recency."""
    return (
        select(Post.id, Post.thread_id, Thread.title, Thread.lang, Category.slug, Post.created_at,
               func.count().over().label("total"))
        .select_from(hits)
        .join(Post, Post.id == hits.c.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .where(and_(*_filters(query)))
        .order_by(hits.c.score, Post.created_at.desc())
        .limit(query.page_size)
        .offset(query.offset)
    )


def cap_for(query: SearchQuery) -> int:
    # With filters, rank more candidates so that a narrow filter still finds its matches.
    filtered = query.lang or query.category or query.date_from or query.date_to
    return MAX_RESULTS * (10 if filtered else 1)


def empty_page(session: Session, backend: SearchBackend, query: SearchQuery) -> SearchPage:
    """No match: perhaps a typo, which the database backends do not forgive by themselves.

    A suggestion is offered only if it finds something this viewer may see: the
    vocabulary also holds words of hidden posts and members-only categories,
    and suggesting one would tell that it exists.
    """
    suggestions = []
    if query.suggest and query.page == 1:
        for candidate in suggest(session, search_text.words(query.text)):
            if backend.search(session, replace(query, text=candidate, suggest=False)).total:
                suggestions.append(candidate)
    return SearchPage(items=[], page=query.page, pages=1, total=0, suggestions=suggestions)


# The indexer's statements, built once (it runs them after every post).
# The vocabulary's new words in one statement (a JSON array of them), not one execution per word.
_ADD_TERMS = text("INSERT OR IGNORE INTO search_fts_terms (term) SELECT value FROM json_each(:terms)")
# FTS5 replaces the row of an indexed rowid itself: one statement, not a DELETE and an INSERT.
_UPSERT_FTS = text("INSERT OR REPLACE INTO search_fts(rowid, title, body) VALUES (:id, :title, :body)")
_DELETE_FTS = text("DELETE FROM search_fts WHERE rowid = :id")


def _add_terms(session: Session, documents: list[Document]) -> None:
    """Keep the vocabulary (prefix expansion, "did you mean") growing with the index."""
    words = sorted({word for d in documents for word in search_text.index_words(d.title + " " + d.body)})
    if words:
        session.connection().execute(_ADD_TERMS, {"terms": json.dumps(words, ensure_ascii=False)})


class SqliteFts:
    """FTS5 with unicode61 (diacritics removed); rowid = post id.

    Prefixes are expanded to the indexed words that start with them (see the
    search0002 migration for why), and for large result sets relevance is
    ranked among the most recent matches only, which FTS5 finds without reading
    whole posting lists.
    """

    name = "sqlite-fts5"
    MAX_EXPANSIONS = 48

    def upsert(self, session: Session, documents: list[Document]) -> None:
        if not documents:
            return
        rows = [{"id": d.post_id, "title": d.title, "body": d.body} for d in documents]
        session.connection().execute(_UPSERT_FTS, rows if len(rows) > 1 else rows[0])
        _add_terms(session, documents)

    def delete(self, session: Session, post_ids: list[int]) -> None:
        if post_ids:
            session.connection().execute(_DELETE_FTS, [{"id": i} for i in post_ids])

    @staticmethod
    def _quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    def match_expression(self, session: Session | None, query_terms: list[str]) -> str:
        """Every term required; each one an exact word, or its indexed expansions, or a raw prefix."""
        groups = []
        for term in query_terms:
            expansions: list[str] = []
            if session is not None and len(term) >= 3:
                expansions = list(session.scalars(
                    text("SELECT term FROM search_fts_terms WHERE term >= :low AND term < :high LIMIT :n"),
                    {"low": term, "high": term + "\U0010ffff", "n": self.MAX_EXPANSIONS + 1},
                ))
            if expansions and len(expansions) <= self.MAX_EXPANSIONS:
                groups.append("(" + " OR ".join(self._quoted(word) for word in expansions) + ")")
            else:  # too short or too many words share the prefix: let FTS5 do the prefix itself
                groups.append(self._quoted(term) + "*")
        return " AND ".join(groups)

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        query_terms = search_text.terms(query.text)
        if not query_terms:
            return SearchPage(items=[], page=query.page, pages=1, total=0)
        match = self.match_expression(session, query_terms)
        cutoff = session.scalar(
            text("SELECT rowid FROM search_fts WHERE search_fts MATCH :match ORDER BY rowid DESC "
                 "LIMIT 1 OFFSET :window"), {"match": match, "window": cap_for(query) - 1})
        hits_query: Any = (
            select(literal_column("rowid").label("post_id"),
                   literal_column("bm25(search_fts, 8.0, 1.0)").label("score"))
            .select_from(text("search_fts"))
            .where(text("search_fts MATCH :match"))
            .order_by(text("score"))
            .limit(cap_for(query))
        )
        if cutoff is not None:  # more matches than we rank: rank the most recent ones
            hits_query = hits_query.where(text("rowid >= :cutoff"))
        hits = hits_query.subquery("hits")
        rows = session.execute(page_query(hits, query), {"match": match, "cutoff": cutoff}).all()
        total = rows[0].total if rows else 0
        if not rows:
            return empty_page(session, self, query)
        snippets = self._snippets(session, match, [row.id for row in rows])
        items = [
            Hit(thread_id=row.thread_id, post_id=row.id, title=row.title, lang=row.lang, category=row.slug,
                created_at=row.created_at, snippet_html=snippets.get(row.id, ""))
            for row in rows
        ]
        return SearchPage(items=items, page=query.page, pages=pages_for(total, query.page_size), total=total)

    def _snippets(self, session: Session, match: str, post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        rows = session.execute(
            text("SELECT rowid, snippet(search_fts, 1, :open, :close, '…', 24) FROM search_fts "
                 "WHERE search_fts MATCH :match AND rowid IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"open": OPEN, "close": CLOSE, "match": match, "ids": post_ids},
        )
        return {row[0]: search_text.marked_to_html(row[1], OPEN, CLOSE) for row in rows}

    def indexed_ids(self, session: Session) -> set[int]:
        return set(session.scalars(text("SELECT rowid FROM search_fts")))

    def clear(self, session: Session) -> None:
        session.execute(text("DELETE FROM search_fts"))
