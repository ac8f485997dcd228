from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin


class OutboxEntry(TimestampMixin, Base):
    """A change the search index must apply; written in the same transaction as the change."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "post" (a post was created, edited, hidden, deleted or moved) or "thread" (renamed,
    # moved, visibility changed: every post of the thread is re-read) or "category".
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    # With an external engine (Meilisearch) the database's own index is kept too, as
    # the fallback while the engine is down: True once this entry reached that copy.
    local_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ReindexState(Base):
    """Where a `forum search reindex` got to, so an interrupted rebuild resumes."""

    __tablename__ = "search_reindex_state"

    backend: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_post_id: Mapped[int] = mapped_column(Integer, default=0)
