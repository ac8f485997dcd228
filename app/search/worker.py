"""Applying the outbox to the index: in-process after each commit (embedded), or `forum worker`.

Entries are claimed and deleted in the same transaction that applies them; on
PostgreSQL several workers skip each other's rows (FOR UPDATE SKIP LOCKED), on
SQLite every writer's BEGIN IMMEDIATE serialises the claims. A change applied
twice is harmless: documents are re-read from the live tables.

With an external engine, `local` is the database's own index, kept as the
fallback. If the engine does not answer, its transaction rolls back and the
entries stay for it; the local index still catches up (entries marked
local_done), so the fallback search stays current during the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.search import documents
from app.search.backend import SearchBackend, SearchUnavailable
from app.search.models import OutboxEntry

log = logging.getLogger("forum.search")
BATCH = 500


def _post_ids(session: Session, entries: Sequence[Entry]) -> set[int]:
    post_ids: set[int] = set()
    for entry in entries:
        post_ids.update(documents.post_ids_for(session, entry.entity, entry.entity_id))
    return post_ids


def _apply(session: Session, backend: SearchBackend, post_ids: set[int]) -> None:
    current = documents.load_documents(session, post_ids)
    backend.upsert(session, list(current.values()))
    backend.delete(session, sorted(post_ids - set(current)))


def apply_entries(session: Session, backend: SearchBackend, entries: Sequence[Entry],
                  local: SearchBackend | None = None) -> None:
    if local is not None:  # first, so that a failing engine has not stopped the local copy
        _apply(session, local, _post_ids(session, [e for e in entries if not e.local_done]))
    _apply(session, backend, _post_ids(session, entries))


class Entry(Protocol):
    """An outbox entry as the drain reads it (a row of these columns, or an OutboxEntry)."""

    id: int
    entity: str
    entity_id: int
    local_done: bool


# Built once (the in-process indexer claims and deletes after every post): (locking, local_only) -> query.
_CLAIMS: dict[tuple[bool, bool], Any] = {}
_OUTBOX = cast(Table, OutboxEntry.__table__)
_DELETE = delete(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
_ANY = select(OutboxEntry.id).limit(1)


def _claim(db: Database, session: Session, batch: int, *, local_only: bool = False) -> list[Entry]:
    key = (not db.is_sqlite, local_only)
    query = _CLAIMS.get(key)
    if query is None:
        query = select(OutboxEntry.id, OutboxEntry.entity, OutboxEntry.entity_id, OutboxEntry.local_done) \
            .order_by(OutboxEntry.id).limit(bindparam("batch"))
        if local_only:
            query = query.where(OutboxEntry.local_done.is_(False))
        if key[0]:
            query = query.with_for_update(skip_locked=True)
        _CLAIMS[key] = query
    return list(session.connection().execute(query, {"batch": batch}))  # type: ignore[arg-type]


def _delete(session: Session, entries: list[Entry]) -> None:
    session.connection().execute(_DELETE, {"ids": [e.id for e in entries]})


# PostgreSQL: the claim and the delete in one statement. The rows are deleted in the transaction that applies them:
# if it fails, they are back for the next drain, as a claimed row left undeleted would be.
_TAKE = delete(_OUTBOX).where(_OUTBOX.c.id.in_(
    select(_OUTBOX.c.id).order_by(_OUTBOX.c.id).limit(bindparam("batch")).with_for_update(skip_locked=True)
    .scalar_subquery())).returning(_OUTBOX.c.id, _OUTBOX.c.entity, _OUTBOX.c.entity_id, _OUTBOX.c.local_done)


def _take(session: Session, batch: int) -> list[Entry]:
    return sorted(session.connection().execute(_TAKE, {"batch": batch}), key=lambda row: row.id)  # type: ignore[arg-type]


def drain_once(db: Database, backend: SearchBackend, *, local: SearchBackend | None = None,
               batch: int = BATCH) -> int:
    """Apply one batch; returns how many entries were applied. Raises SearchUnavailable."""
    if db.is_sqlite and local is not None:
        return _drain_once_unlocked(db, backend, local, batch)
    if db.is_sqlite and not _anything_pending(db):
        return 0
    with db.session() as session:
        entries = _claim(db, session, batch) if db.is_sqlite else _take(session, batch)
        if not entries:
            return 0
        apply_entries(session, backend, entries, local)
        if db.is_sqlite:
            _delete(session, entries)
        session.commit()
        return len(entries)


@dataclass(slots=True)
class _Unwritten:
    """An entry of the applying transaction itself, never written as a row (outbox.enqueue)."""

    entity: str
    entity_id: int
    id: int = 0
    local_done: bool = False


def apply_pending(db: Database, session: Session, backend: SearchBackend, *, batch: int = BATCH,
                  extra: Sequence[tuple[str, int]] = ()) -> int:
    """Apply up to `batch` pending entries, and `extra`, in the session's own transaction; how many rows it claimed.

    For SQLite's own index (`InProcessIndexer.apply_in_transaction`): a writer holds the
    file's one write lock until it commits, so what it reads is what a drain run right
    after its commit would read, and the index changes with the post, in one transaction.
    `extra`: the transaction's own (entity, id) entries, which need no row (outbox.enqueue).
    """
    entries = _claim(db, session, batch)
    applying: list[Entry] = [*entries, *(_Unwritten(entity, entity_id) for entity, entity_id in extra)]
    if applying:
        apply_entries(session, backend, applying)
    if entries:
        _delete(session, entries)
    return len(entries)


def _anything_pending(db: Database) -> bool:
    """SQLite: a look without the write lock. Every drain ends with a pass that finds nothing,
    and a write session for it queued behind every posting writer for SQLite's one lock
    (a third write transaction per post under load). A reader never waits for it (WAL)."""
    with db.reader.connect() as connection:  # a bare connection: no session set up for one look
        return connection.execute(_ANY).first() is not None


def _drain_once_unlocked(db: Database, backend: SearchBackend, local: SearchBackend, batch: int) -> int:
    """SQLite with an external engine: never hold the file's one write lock while the engine answers.

    Read what is pending, send it to the engine outside any transaction, then delete
    those entries. A change made meanwhile has its own, newer entry, which stays.
    """
    catch_up_locally(db, local, batch=batch)
    with db.session(write=False) as session:
        entries = _claim(db, session, batch)
        if not entries:
            return 0
        ids = [e.id for e in entries]
        _apply(session, backend, _post_ids(session, entries))
    with db.session() as session:
        session.connection().execute(_DELETE, {"ids": ids})
        session.commit()
    return len(ids)


def catch_up_locally(db: Database, local: SearchBackend, *, batch: int = BATCH) -> int:
    """Bring the database's own index up to date while the engine is down."""
    applied = 0
    while True:
        with db.session() as session:
            entries = _claim(db, session, batch, local_only=True)
            if not entries:
                return applied
            _apply(session, local, _post_ids(session, entries))
            session.execute(update(OutboxEntry).where(OutboxEntry.id.in_([e.id for e in entries]))
                            .values(local_done=True))
            session.commit()
            applied += len(entries)


def drain_or_raise(db: Database, backend: SearchBackend, *, local: SearchBackend | None = None,
                   batch: int = BATCH) -> int:
    """Apply everything pending. If the engine is down: local copy caught up, then SearchUnavailable.

    A batch that was not full took everything pending when it was claimed: no further
    pass to find nothing (an entry committed since then has its own committer's drain,
    woken after that commit).
    """
    applied = 0
    try:
        while count := drain_once(db, backend, local=local, batch=batch):
            applied += count
            if count < batch:
                break
    except SearchUnavailable:
        if local is not None:
            catch_up_locally(db, local, batch=batch)
        raise
    return applied


def drain(db: Database, backend: SearchBackend, *, local: SearchBackend | None = None, batch: int = BATCH) -> int:
    """Apply everything pending; stops quietly (entries kept) when the engine is down."""
    try:
        return drain_or_raise(db, backend, local=local, batch=batch)
    except SearchUnavailable as exc:
        log.warning("search engine unavailable, outbox entries wait for it: %s", exc)
        return 0


def pending(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count(OutboxEntry.id))) or 0)


def run_forever(db: Database, backend: SearchBackend, *, local: SearchBackend | None = None,
                interval: float = 1.0, max_backoff: float = 30.0) -> None:
    """`forum worker`: poll the outbox; the sleep keeps an idle worker nearly free.

    While the engine is down, it is retried less and less often (doubling up to
    max_backoff) so it is not hammered, but the database's own index keeps up on
    every poll: the fallback search finds what was posted during the outage. The
    first successful drain resets the pace.
    """
    backoff, retry_at = interval, 0.0
    while True:
        if time.monotonic() >= retry_at:
            try:
                applied = drain_or_raise(db, backend, local=local)
                backoff = interval
            except SearchUnavailable as exc:
                log.warning("search engine unavailable, retrying in %.0f s: %s", backoff, exc)
                applied, retry_at = 0, time.monotonic() + backoff
                backoff = min(backoff * 2, max_backoff)
        else:
            applied = catch_up_locally(db, local) if local is not None else 0
        if not applied:
            time.sleep(interval)
