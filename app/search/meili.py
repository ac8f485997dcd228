"""Meilisearch, through its official Python client: the production search engine.

The index holds only what may be found (published posts of published threads);
every answer is still checked against the live database before it is shown.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forum.models import Category, Post, Thread
from app.search import text as search_text
from app.search.backend import MAX_RESULTS, Document, Hit, SearchPage, SearchQuery, SearchUnavailable, pages_for
from app.search.documents import start_of_day, visible_now
from app.settings import SearchSettings

OPEN, CLOSE = "\x02", "\x03"
ENGINE_ERRORS = (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError, OSError)

INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["title", "body"],
    "displayedAttributes": ["id", "thread_id", "title", "body", "lang", "category", "visibility", "created_at"],
    "filterableAttributes": ["lang", "category", "visibility", "created_at"],
    "sortableAttributes": ["created_at"],
    # Relevance first, then recency (DESIGN: "relevance then recency").
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness", "created_at:desc"],
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
    "separatorTokens": ["·"],
}


def to_document(document: Document) -> dict[str, Any]:
    return {
        "id": document.post_id,
        "thread_id": document.thread_id,
        "title": document.title,
        "body": document.body,
        "lang": document.lang,
        "category": document.category,
        "visibility": document.visibility,
        "created_at": int(document.created_at.timestamp()),
    }


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_params(query: SearchQuery) -> dict[str, Any]:
    """The Meilisearch request for a query: filters, paging and highlighting."""
    filters = [] if query.members_visible else ['visibility = "public"']
    if query.lang:
        filters.append(f"lang = {_quote(query.lang)}")
    if query.category:
        filters.append(f"category = {_quote(query.category)}")
    if query.date_from:  # Belgian calendar days, as in the database backends
        filters.append(f"created_at >= {int(start_of_day(query.date_from).timestamp())}")
    if query.date_to:
        filters.append(f"created_at < {int(start_of_day(query.date_to + dt.timedelta(days=1)).timestamp())}")
    return {
        "filter": " AND ".join(filters) or None,
        "offset": query.offset,
        "limit": query.page_size,
        "attributesToRetrieve": ["id", "thread_id", "title", "lang", "category", "created_at"],
        "attributesToHighlight": ["body"],
        "attributesToCrop": ["body"],
        "cropLength": 30,
        "highlightPreTag": OPEN,
        "highlightPostTag": CLOSE,
    }


class Meili:
    name = "meilisearch"

    def __init__(self, settings: SearchSettings, timeout: float | None = None) -> None:
        # Two clients: searches give up quickly (the database answers instead), indexing
        # calls run off the request path and may wait longer.
        key = settings.meili_key or None
        query_timeout = timeout if timeout is not None else settings.query_timeout
        index_timeout = timeout if timeout is not None else settings.index_timeout
        self.client = meilisearch.Client(settings.meili_url, key, timeout=index_timeout)  # type: ignore[arg-type]
        self.query_client = meilisearch.Client(settings.meili_url, key, timeout=query_timeout)  # type: ignore[arg-type]
        self.index_name = settings.meili_index
        self.breaker_seconds = settings.breaker_seconds
        self._queries_down_until = 0.0

    @property
    def index(self) -> Any:
        return self.client.index(self.index_name)

    def _call(self, action: Any) -> Any:
        try:
            return action()
        except ENGINE_ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def configure(self) -> None:
        def run() -> None:
            task = self.client.create_index(self.index_name, {"primaryKey": "id"})
            self.client.wait_for_task(task.task_uid)
            task = self.index.update_settings(INDEX_SETTINGS)
            self.client.wait_for_task(task.task_uid)

        self._call(run)

    def upsert(self, session: Session, documents: list[Document]) -> None:
        if documents:
            self._call(lambda: self.index.add_documents([to_document(d) for d in documents], primary_key="id"))

    def delete(self, session: Session, post_ids: list[int]) -> None:
        if post_ids:
            self._call(lambda: self.index.delete_documents([str(i) for i in post_ids]))

    def wait(self) -> None:
        """Block until queued index tasks are done (tests, reindex)."""
        def run() -> None:
            busy = {"indexUids": [self.index_name], "statuses": ["enqueued", "processing"]}
            for task in self.client.get_tasks(busy).results:
                self.client.wait_for_task(task.uid)

        self._call(run)

    def ping(self) -> None:
        """Raise SearchUnavailable unless the engine answers its health check (quickly)."""
        self._call(lambda: self.query_client.health())

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        if not search_text.terms(query.text):
            return SearchPage(items=[], page=query.page, pages=1, total=0)
        # After a failed query, go straight to the fallback for a while: every search
        # would otherwise pay the timeout again while the engine is down or hung.
        if time.monotonic() < self._queries_down_until:
            raise SearchUnavailable("engine failed a recent query; trying again shortly")
        index = self.query_client.index(self.index_name)
        try:
            result = self._call(lambda: index.search(query.text, search_params(query)))
        except SearchUnavailable:
            self._queries_down_until = time.monotonic() + self.breaker_seconds
            raise
        hits = result.get("hits", [])
        live = self._still_visible(session, query, [int(hit["id"]) for hit in hits])
        items = []
        for hit in hits:
            post_id = int(hit["id"])
            if post_id not in live:
                continue  # hidden or deleted since it was indexed: never shown
            formatted = hit.get("_formatted", {})
            items.append(Hit(
                thread_id=int(hit["thread_id"]), post_id=post_id, title=live[post_id], lang=hit["lang"],
                category=hit["category"], created_at=dt.datetime.fromtimestamp(hit["created_at"], dt.UTC),
                snippet_html=search_text.marked_to_html(str(formatted.get("body", "")), OPEN, CLOSE),
            ))
        total = min(int(result.get("estimatedTotalHits", len(items))), MAX_RESULTS)
        return SearchPage(items=items, page=query.page, pages=pages_for(total, query.page_size), total=total)

    @staticmethod
    def _still_visible(session: Session, query: SearchQuery, post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        rows = session.execute(
            select(Post.id, Thread.title)
            .join(Thread, Thread.id == Post.thread_id)
            .join(Category, Category.id == Thread.category_id)
            .where(Post.id.in_(post_ids), visible_now(query.members_visible))
        )
        return {row.id: row.title for row in rows}

    def indexed_ids(self, session: Session) -> set[int]:
        def run() -> set[int]:
            ids: set[int] = set()
            offset = 0
            while True:
                page = self.index.get_documents({"fields": ["id"], "limit": 1000, "offset": offset})
                ids.update(int(doc.id) for doc in page.results)
                if len(page.results) < 1000:
                    return ids
                offset += 1000

        return self._call(run)  # type: ignore[no-any-return]

    def clear(self, session: Session) -> None:
        self._call(lambda: self.index.delete_all_documents())
