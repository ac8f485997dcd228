"""Choosing the engine, searching with a fallback, and wiring the in-process indexer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from app.db import Database
from app.search.backend import SearchBackend, SearchPage, SearchQuery, SearchUnavailable
from app.search.database import PostgresFts, SqliteFts
from app.search.worker import catch_up_locally, drain_or_raise
from app.settings import Settings

log = logging.getLogger("forum.search")


class Timer(Protocol):
    daemon: bool

    def start(self) -> None: ...

    def cancel(self) -> None: ...


#: Makes the retry timer: threading.Timer, or a test's hand-driven one.
TimerFactory = Callable[[float, Callable[[], None]], Timer]


def database_backend(db: Database) -> SearchBackend:
    return SqliteFts() if db.is_sqlite else PostgresFts()


def is_database_backend(backend: SearchBackend) -> bool:
    return isinstance(backend, SqliteFts | PostgresFts)


def configured_backend(settings: Settings, db: Database) -> SearchBackend:
    if settings.search.backend == "meilisearch":
        from app.search.meili import Meili

        return Meili(settings.search)
    return database_backend(db)


def local_copy(db: Database, backend: SearchBackend) -> SearchBackend | None:
    """The database index kept beside an external engine, as its fallback (None when it is the engine)."""
    return None if is_database_backend(backend) else database_backend(db)


def search(session: Session, db: Database, backend: SearchBackend, query: SearchQuery) -> SearchPage:
    """Search with the configured engine; if it is down, the database answers (with a notice)."""
    try:
        return backend.search(session, query)
    except SearchUnavailable as exc:
        if is_database_backend(backend):
            raise
        log.warning("search engine unavailable, answering from the database: %s", exc)
        page = database_backend(db).search(session, query)
        page.fallback = True
        return page


class InProcessIndexer:
    """Drains the outbox right after each commit that wrote to it.

    One drain at a time per process: a commit that arrives while a drain runs
    only marks more work, which the running drain picks up before it stops.
    When the engine is down, commits stop calling it (posting must not wait on
    a dead engine's timeout) and only the local copy is updated; a timer retries
    the engine with a growing delay, so the outbox catches up with no new post.
    """

    MIN_BACKOFF, MAX_BACKOFF = 2.0, 60.0

    def __init__(self, db: Database, backend: SearchBackend, *, min_backoff: float = MIN_BACKOFF,
                 max_backoff: float = MAX_BACKOFF, timer: TimerFactory = threading.Timer) -> None:
        self.db = db
        self.backend = backend
        self.local = local_copy(db, backend)
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self._make_timer = timer
        self._lock = threading.Lock()
        self._more = threading.Event()
        self._retry_at = 0.0
        self._backoff = min_backoff
        self._timer: Timer | None = None

    @property
    def engine_down(self) -> bool:
        return time.monotonic() < self._retry_at

    def __call__(self) -> None:
        self._more.set()
        if not self._lock.acquire(blocking=False):
            return
        try:
            while self._more.is_set():
                self._more.clear()
                try:
                    self._drain()
                except Exception:  # the database failed (busy, down): a commit made meanwhile retries at once
                    log.exception("search outbox drain failed")
        finally:
            self._lock.release()

    def _drain(self) -> None:
        if self.engine_down:
            if self.local is not None:
                catch_up_locally(self.db, self.local)
            return
        try:
            drain_or_raise(self.db, self.backend, local=self.local)
            self._backoff = self.min_backoff
        except SearchUnavailable as exc:
            log.warning("search engine unavailable, retrying in %.0f s: %s", self._backoff, exc)
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        self._retry_at = time.monotonic() + self._backoff
        self._timer = self._make_timer(self._backoff, self._retry)
        self._timer.daemon = True
        self._timer.start()
        self._backoff = min(self._backoff * 2, self.max_backoff)

    def _retry(self) -> None:
        self._retry_at = 0.0
        self()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def install(settings: Settings, db: Database) -> SearchBackend:
    backend = configured_backend(settings, db)
    if settings.search.worker == "inprocess":
        db.on_outbox = InProcessIndexer(db, backend)
    return backend
