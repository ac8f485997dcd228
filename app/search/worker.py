"""Applying the outbox to the index: in-process after each commit (embedded), or `forum worker`.

Entries are claimed and deleted in the same transaction that applies them; on
PostgreSQL several workers skip each other's rows (FOR UPDATE SKIP LOCKED). A
change applied twice is harmless: documents are re-read from the live tables.
If the engine does not answer, the transaction rolls back, the entries stay, and
the next drain catches up.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import Database
from app.search import documents
from app.search.backend import SearchBackend, SearchUnavailable
from app.search.models import OutboxEntry

log = logging.getLogger("forum.search")
BATCH = 500


def apply_entries(session: Session, backend: SearchBackend, entries: list[OutboxEntry]) -> None:
    post_ids: set[int] = set()
    for entry in entries:
        post_ids.update(documents.post_ids_for(session, entry.entity, entry.entity_id))
    current = documents.load_documents(session, post_ids)
    backend.upsert(session, list(current.values()))
    backend.delete(session, sorted(post_ids - set(current)))


def drain_once(db: Database, backend: SearchBackend, *, batch: int = BATCH) -> int:
    """Apply one batch; returns how many outbox entries were applied."""
    with db.session() as session:
        query = select(OutboxEntry).order_by(OutboxEntry.id).limit(batch)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        entries = list(session.scalars(query))
        if not entries:
            return 0
        apply_entries(session, backend, entries)
        session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_([e.id for e in entries])))
        session.commit()
        return len(entries)


def drain(db: Database, backend: SearchBackend, *, batch: int = BATCH) -> int:
    """Apply everything pending; stops quietly (entries kept) when the engine is down."""
    applied = 0
    try:
        while count := drain_once(db, backend, batch=batch):
            applied += count
    except SearchUnavailable as exc:
        log.warning("search engine unavailable, %d outbox entries applied, the rest wait: %s", applied, exc)
    return applied


def pending(db: Database) -> int:
    from sqlalchemy import func

    with db.session(write=False) as session:
        return int(session.scalar(select(func.count(OutboxEntry.id))) or 0)


def run_forever(db: Database, backend: SearchBackend, *, interval: float = 1.0) -> None:
    """`forum worker`: poll the outbox; the sleep keeps an idle worker nearly free."""
    while True:
        if not drain(db, backend):
            time.sleep(interval)
