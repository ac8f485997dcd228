"""Choosing the engine, searching with a fallback, and wiring the in-process indexer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from app.db import Database
from app.instruments import SEARCH_FALLBACKS
from app.search.backend import SearchBackend, SearchPage, SearchQuery, SearchUnavailable
from app.search.database import SqliteFts
from app.search.postgres import PostgresFts
from app.search.worker import BATCH, apply_pending, catch_up_locally, drain_or_raise
from app.settings import Settings

_SAVEPOINT = "search_index"  # InProcessIndexer.apply_in_transaction's
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
        SEARCH_FALLBACKS.inc()
        page = database_backend(db).search(session, query)
        page.fallback = True
        return page


class InProcessIndexer:
    """Applies the outbox after each commit that wrote to it, in this process.

    With the database as the engine, right away in the committing thread: it is
    the same database, quick, and search is current when the page redirects.

    With an external engine, the committing thread only brings the database's own
    index (the fallback) up to date, and a background thread talks to the engine:
    a slow or hung engine never holds a request. One engine drain at a time; a
    commit that arrives meanwhile only marks more work, picked up before the
    thread sleeps. When the engine fails, commits stop waking it, and a timer
    retries (in its own thread) with a growing delay, so the outbox catches up
    with no new post.

    With SQLite's own index, the outbox is applied inside the writing transaction
    itself, just before its commit (`apply_in_transaction`): one write transaction per
    post instead of two, so one wait for the file's write lock and one WAL sync. The
    drain after the commit stays for what that could not apply.
    """

    MIN_BACKOFF, MAX_BACKOFF = 2.0, 60.0

    def __init__(self, db: Database, backend: SearchBackend, *, min_backoff: float = MIN_BACKOFF,
                 max_backoff: float = MAX_BACKOFF, timer: TimerFactory = threading.Timer) -> None:
        self.db = db
        self.backend = backend
        self.local = local_copy(db, backend)
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self._make_timer = timer
        self._lock = threading.Lock()  # the synchronous (database engine) path
        self._more = threading.Event()
        self._cond = threading.Condition()  # the background (external engine) path
        self._pending = self._busy = self._stopped = False
        self._thread: threading.Thread | None = None
        self._engine_lock = threading.Lock()  # one engine drain at a time (background thread or timer)
        self._retry_at = 0.0
        self._backoff = min_backoff
        self._timer: Timer | None = None

    @property
    def in_transaction(self) -> bool:
        """True when the outbox is applied before the writer's commit (SQLite's own FTS5 index)."""
        return self.local is None and isinstance(self.backend, SqliteFts)

    def apply_in_transaction(self, session: Session, entries: Sequence[tuple[str, int]] = ()) -> tuple[bool, bool]:
        """Apply what is pending in `session`'s transaction, with `entries` (this transaction's, not
        written as rows): (applied, rows left for a drain).

        Inside a SAVEPOINT: if the index cannot be written, it rolls back alone, the
        post still commits (the caller then writes `entries` as rows), and the drain
        after the commit tries again (and logs).
        """
        # The SAVEPOINT on the connection, not session.begin_nested(): only Core statements run inside it, and
        # the ORM's nested transaction cost more than the index's writes (its SAVEPOINT compiled anew each time,
        # the session's transaction bookkeeping twice per post).
        connection = session.connection()
        connection.exec_driver_sql(f"SAVEPOINT {_SAVEPOINT}")
        try:
            claimed = apply_pending(self.db, session, self.backend, extra=entries)
        except Exception:
            log.exception("search outbox: applying in the transaction failed; the drain after the commit retries")
            connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")  # if this fails, so does the commit
            connection.exec_driver_sql(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            return False, True
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        return True, claimed >= BATCH

    @property
    def engine_down(self) -> bool:
        return time.monotonic() < self._retry_at

    def __call__(self) -> None:
        if self.local is None:
            self._drain_here()
            return
        try:
            catch_up_locally(self.db, self.local)  # the fallback finds the new post at once
        except Exception:  # the database failed (busy, down): a commit made meanwhile retries at once
            log.exception("search outbox: local index catch-up failed")
        if not self.engine_down:
            self._wake()

    def _drain_here(self) -> None:
        self._more.set()
        if not self._lock.acquire(blocking=False):
            return
        try:
            while self._more.is_set():
                self._more.clear()
                try:
                    drain_or_raise(self.db, self.backend)
                except Exception:  # the database failed (busy, down): a commit made meanwhile retries at once
                    log.exception("search outbox drain failed")
        finally:
            self._lock.release()

    def _wake(self) -> None:
        with self._cond:
            self._pending = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopped)
                if self._stopped:
                    return
                self._pending, self._busy = False, True
            try:
                self._drain_engine()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _drain_engine(self) -> None:
        with self._engine_lock:
            if self.engine_down:
                return
            try:
                drain_or_raise(self.db, self.backend, local=self.local)
                self._backoff = self.min_backoff
            except SearchUnavailable as exc:
                log.warning("search engine unavailable, retrying in %.0f s: %s", self._backoff, exc)
                self._schedule_retry()
            except Exception:  # the database failed: the entries wait for the next drain
                log.exception("search outbox drain failed")

    def _schedule_retry(self) -> None:
        self._retry_at = time.monotonic() + self._backoff
        self._timer = self._make_timer(self._backoff, self._retry)
        self._timer.daemon = True
        self._timer.start()
        self._backoff = min(self._backoff * 2, self.max_backoff)

    def _retry(self) -> None:
        """In the timer's thread (never a request's): try the engine again."""
        self._retry_at = 0.0
        self._drain_engine()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until the background thread has nothing left to do now (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


def install(settings: Settings, db: Database) -> SearchBackend:
    backend = configured_backend(settings, db)
    if settings.search.worker == "inprocess":
        db.on_outbox = InProcessIndexer(db, backend)
    return backend
