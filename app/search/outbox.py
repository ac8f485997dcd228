"""The transactional outbox: domains record what changed; a worker updates the index."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import after_commit
from app.search.models import OutboxEntry


def enqueue(session: Session, entity: str, entity_id: int) -> None:
    """Record a change for the index, in the caller's transaction.

    After that transaction commits, the in-process indexer (if configured) runs;
    if it rolls back, the entry and the hook vanish with it.
    """
    session.add(OutboxEntry(entity=entity, entity_id=entity_id))
    db = session.info.get("db")
    hook = getattr(db, "on_outbox", None)
    if hook is not None:
        after_commit(session, hook, key="search-outbox")
