from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, UTCDateTime, utcnow
from app.i18n_markers import N_


class Visibility(StrEnum):
    public = "public"
    members = "members"


class PostStatus(StrEnum):
    published = "published"
    held = "held"  # awaiting a moderator: visible to its author and moderators only
    hidden = "hidden"  # hidden by a moderator: its author still sees it, an appeal may bring it back
    removed = "removed"  # deleted by a moderator; the text is kept for the appeal and the audit trail
    deleted = "deleted"  # soft-deleted by its author


class ReactionKind(StrEnum):
    thanks = "thanks"
    courage = "courage"
    me_too = "me_too"


REACTION_LABELS = {
    ReactionKind.thanks: N_("Thank you"),
    ReactionKind.courage: N_("Courage"),
    ReactionKind.me_too: N_("Me too"),
}


class Category(Base):
    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    visibility: Mapped[Visibility] = mapped_column(String(16), default=Visibility.public)
    # Which leaf of the BENZONET clover this category serves (pace, psychoeducation, ...).
    clover: Mapped[str] = mapped_column(String(30), default="")
    name_fr: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    def name(self, locale: str) -> str:
        return str(getattr(self, f"name_{locale}", self.name_fr))

    def description(self, locale: str) -> str:
        return str(getattr(self, f"description_{locale}", self.description_fr))

    @property
    def names(self) -> dict[str, str]:
        return {"fr": self.name_fr, "nl": self.name_nl, "en": self.name_en}


class Thread(TimestampMixin, Base):
    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_category_activity", "category_id", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[PostStatus] = mapped_column(String(16), default=PostStatus.published)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Slow mode: a member waits this long between two replies in the thread (0: off).
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Denormalised for list pages: published posts only.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # While its author's account awaits erasure with their posts' text (forum.service.withdraw_member_posts):
    # the status it had (the thread is out of sight), or the title it had (others replied: it stays, with a
    # neutral title). Logging in again puts them back; the final erasure drops them.
    withheld_status: Mapped[PostStatus | None] = mapped_column(String(16), default=None)
    withheld_title: Mapped[str | None] = mapped_column(String(200), default=None)

    category: Mapped[Category] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")


class Post(TimestampMixin, Base):
    __tablename__ = "forum_posts"
    # (author, time): the posting-rate counts read the member's last hour only (forum.service._check_posting_rate).
    __table_args__ = (Index("ix_forum_posts_thread_created", "thread_id", "created_at", "id"),
                      Index("ix_forum_posts_author_created", "author_id", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    body_md: Mapped[str] = mapped_column(Text)  # what the member typed
    body_html: Mapped[str] = mapped_column(Text)  # sanitised at write time; the only |safe
    status: Mapped[PostStatus] = mapped_column(String(16), default=PostStatus.published, index=True)
    content_note: Mapped[str | None] = mapped_column(String(30), default=None)
    # Info boxes shown with the post (e.g. "gradual_tapering"), comma-separated.
    notices: Mapped[str] = mapped_column(String(120), default="")
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Set when a moderator changed the text: readers see "edited by moderation".
    moderation_edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The composer form it was sent from (HTML only): the same form sent twice posts once (forum.service).
    form_nonce: Mapped[str | None] = mapped_column(String(32), default=None)
    # The status it had before its author asked for their account's erasure with their posts' text: the post
    # is "deleted" to everyone meanwhile, and comes back as it was if they log in before the erasure is final.
    withheld_status: Mapped[PostStatus | None] = mapped_column(String(16), default=None)

    thread: Mapped[Thread] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")

    @property
    def notice_list(self) -> list[str]:
        return [code for code in self.notices.split(",") if code]


class PostRevision(TimestampMixin, Base):
    """Every earlier version of an edited post, kept for moderators and the author."""

    __tablename__ = "forum_post_revisions"
    # A member's edits in the last hour are counted from their revisions (forum.service, edits_per_hour).
    __table_args__ = (Index("ix_forum_post_revisions_editor_id_created_at", "editor_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    body_md: Mapped[str] = mapped_column(Text)


class Reaction(TimestampMixin, Base):
    __tablename__ = "forum_reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    kind: Mapped[ReactionKind] = mapped_column(String(16))


class ThreadVisit(Base):
    """When a member last opened a thread, for "new since your last visit"."""

    __tablename__ = "forum_thread_visits"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True)
    visited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
