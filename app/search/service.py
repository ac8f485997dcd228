"""Choosing the engine, searching with a fallback, and wiring the in-process indexer."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session

from app.db import Database
from app.search.backend import SearchBackend, SearchPage, SearchQuery, SearchUnavailable
from app.search.database import PostgresFts, SqliteFts
from app.search.worker import drain
from app.settings import Settings

log = logging.getLogger("forum.search")


def database_backend(db: Database) -> SearchBackend:
    return SqliteFts() if db.is_sqlite else PostgresFts()


def configured_backend(settings: Settings, db: Database) -> SearchBackend:
    if settings.search.backend == "meilisearch":
        from app.search.meili import Meili

        return Meili(settings.search)
    return database_backend(db)


def search(session: Session, db: Database, backend: SearchBackend, query: SearchQuery) -> SearchPage:
    """Search with the configured engine; if it is down, the database answers (with a notice)."""
    try:
        return backend.search(session, query)
    except SearchUnavailable as exc:
        if isinstance(backend, SqliteFts | PostgresFts):
            raise
        log.warning("search engine unavailable, answering from the database: %s", exc)
        page = database_backend(db).search(session, query)
        page.fallback = True
        return page


class InProcessIndexer:
    """Drains the outbox right after each commit that wrote to it.

    One drain at a time per process: a commit that arrives while a drain runs
    only marks more work, which the running drain picks up before it stops.
    """

    def __init__(self, db: Database, backend: SearchBackend) -> None:
        self.db = db
        self.backend = backend
        self._lock = threading.Lock()
        self._more = threading.Event()

    def __call__(self) -> None:
        self._more.set()
        if not self._lock.acquire(blocking=False):
            return
        try:
            while self._more.is_set():
                self._more.clear()
                drain(self.db, self.backend)
        finally:
            self._lock.release()


def install(settings: Settings, db: Database) -> SearchBackend:
    backend = configured_backend(settings, db)
    if settings.search.worker == "inprocess":
        db.on_outbox = InProcessIndexer(db, backend)
    return backend
