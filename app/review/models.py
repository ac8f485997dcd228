from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, UTCDateTime
from app.forum.models import Post


class Priority(StrEnum):
    urgent = "urgent"  # crisis: look now
    normal = "normal"


class ItemStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class Finding(TimestampMixin, Base):
    """One automatic finding of the moderation engine, kept with the post it was found in."""

    __tablename__ = "review_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    # "title" or "body": which text the offsets point into.
    field: Mapped[str] = mapped_column(String(8), default="body")
    category: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(80))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    match: Mapped[str] = mapped_column(Text)


class ReviewItem(TimestampMixin, Base):
    """A post waiting for a moderator: why, how urgent, and what was decided."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    # "findings" (automatic checks), "newcomer" (first posts pre-moderated), "report".
    reason: Mapped[str] = mapped_column(String(32))
    categories: Mapped[str] = mapped_column(String(200), default="")  # finding categories, comma-separated
    priority: Mapped[Priority] = mapped_column(String(16), default=Priority.normal, index=True)
    status: Mapped[ItemStatus] = mapped_column(String(16), default=ItemStatus.open, index=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[Post] = relationship(lazy="raise")
    resolved_by: Mapped[User | None] = relationship(lazy="raise")


class AuditEntry(TimestampMixin, Base):
    """Append-only record of every staff action; rows are never updated or deleted."""

    __tablename__ = "review_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
