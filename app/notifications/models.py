"""Notifications, watched threads and categories, and each member's preferences.

A notification holds ids and a kind, never a copy of what was written: the
page reads the thread's title and the post's status when it is shown, so a post
that is hidden or deleted disappears from the notifications that pointed to it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, UTCDateTime, utcnow


class Kind(StrEnum):
    reply = "reply"  # a new post in a thread I watch
    new_thread = "new_thread"  # a new thread in a category I watch
    quote = "quote"  # someone quoted my post
    mention = "mention"  # someone wrote @my-pseudonym
    reaction = "reaction"  # reactions to my post, grouped per post and reaction
    moderation_statement = "moderation_statement"  # a moderator's decision about me, with its reasons
    moderator_message = "moderator_message"  # a moderator wrote to me (a check-in, a message)
    welcome_approved = "welcome_approved"  # my first post was approved (pre-moderation as a welcome)
    report_outcome = "report_outcome"  # what came of a report I made


#: What members write to each other: shown only while the post it points to is visible.
PEER_KINDS = frozenset({Kind.reply, Kind.new_thread, Kind.quote, Kind.mention, Kind.reaction})
#: From the moderators: delivered whatever the member's preferences, mutes or account
#: restrictions (a silenced or suspended member still receives statements and messages).
ALWAYS_DELIVERED = frozenset({Kind.moderation_statement, Kind.moderator_message})
#: Kinds a member may switch off, with their defaults. Quiet and kind by default: reactions are off.
SWITCHABLE: dict[Kind, bool] = {
    Kind.reply: True,
    Kind.new_thread: True,
    Kind.quote: True,
    Kind.mention: True,
    Kind.reaction: False,
    Kind.welcome_approved: True,
    Kind.report_outcome: True,
}


class WatchLevel(StrEnum):
    watching = "watching"  # every new post
    normal = "normal"  # only what names me (mentions, quotes, reactions)
    muted = "muted"  # nothing from this thread


class CategoryLevel(StrEnum):
    watching = "watching"  # every new post in every thread
    new_threads = "new_threads"  # each new thread's first post
    normal = "normal"


class Notification(Base):
    __tablename__ = "notifications_notifications"
    __table_args__ = (
        # The header's unread count: one range scan on (member, unread).
        Index("ix_notifications_notifications_unread", "user_id", "read_at"),
        Index("ix_notifications_notifications_user_created", "user_id", "created_at"),
        # Housekeeping's purge of old read ones. Partial: a fan-out's new (unread) rows write nothing here.
        Index("ix_notifications_notifications_read_at", "read_at", postgresql_where=text("read_at IS NOT NULL"),
              sqlite_where=text("read_at IS NOT NULL")),
        # One notification per member and post (a mention beats a reply), per reaction group,
        # per moderators' reference: fan-outs and retries can never notify twice.
        UniqueConstraint("user_id", "group_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(String(24))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), default=None)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), default=None, index=True
    )
    # Who did it; NULL for the moderators as a team, or once the actor's account is gone.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"),
                                                 default=None)
    # An id in the notifying domain (a statement of reasons, a message, a report): review's to read.
    ref_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # The reaction kind for grouped reactions ("courage"); empty otherwise.
    detail: Mapped[str] = mapped_column(String(16), default="")
    # How many members a grouped reaction stands for.
    count: Mapped[int] = mapped_column(Integer, default=1)
    group_key: Mapped[str | None] = mapped_column(String(48), default=None)
    # Not the mixin's: no index of its own (user_created serves the pages), one index fewer per
    # row of a five-thousand-row fan-out.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")


class ThreadWatch(TimestampMixin, Base):
    """A member's level for one thread; no row means "normal" (or whatever the category says)."""

    __tablename__ = "notifications_thread_watches"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id"),
        Index("ix_notifications_thread_watches_thread_level", "thread_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    level: Mapped[WatchLevel] = mapped_column(String(16), default=WatchLevel.watching)
    # "started", "replied" (automatic, from the preferences) or "chosen" (the member's own choice).
    reason: Mapped[str] = mapped_column(String(16), default="chosen")


class CategoryWatch(TimestampMixin, Base):
    __tablename__ = "notifications_category_watches"
    __table_args__ = (
        UniqueConstraint("user_id", "category_id"),
        Index("ix_notifications_category_watches_category_level", "category_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="CASCADE"))
    level: Mapped[CategoryLevel] = mapped_column(String(16), default=CategoryLevel.watching)


class Preferences(Base):
    """Which kinds a member wants, and what they watch by default. No row: the defaults (SWITCHABLE)."""

    __tablename__ = "notifications_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    reply: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    new_thread: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    quote: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Off: a mention of this member notifies no one (the member "blocks mentions").
    mention: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reaction: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    welcome_approved: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    report_outcome: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    watch_started: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    watch_replied: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class OutboxEntry(TimestampMixin, Base):
    """A post whose watchers are too many to notify inside its transaction: `forum worker` fans it out."""

    __tablename__ = "notifications_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Kind] = mapped_column(String(24))
