"""The transactional outbox: domains record what changed; a worker updates the index."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.search.models import OutboxEntry


def enqueue(session: Session, entity: str, entity_id: int) -> None:
    session.add(OutboxEntry(entity=entity, entity_id=entity_id))
