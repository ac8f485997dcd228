"""Review's tables: the queue and what feeds it, decisions and what they send, the team's tools.

The forum's tables are the forum's: review points at posts and threads by id
and changes them only through `app.forum.service`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, TimestampMixin, UTCDateTime, utcnow
from app.forum.models import Post


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
    # "rule" (a lexicon entry or frame: words to point at) or "model" (the learned layer's score).
    source: Mapped[str] = mapped_column(String(8), default="rule")
    score: Mapped[float | None] = mapped_column(Float, default=None)
    explanation: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)


class ReviewItem(TimestampMixin, Base):
    """What waits for a moderator: one open item per post (or per appeal), every reason merged into it.

    An appeal's item has no post of its own to act on: `Appeal.item_id` points here.

    `version` is SQLAlchemy's version counter: every change bumps it, and an
    UPDATE that finds another version changes nothing (StaleDataError), so two
    moderators deciding at once cannot both win; a form that carries an older
    version is refused before it is applied.
    """

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    # The member concerned: the post's author, or the member who appealed.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    lang: Mapped[str] = mapped_column(String(2), index=True)
    # The weightiest reason (see review.vocabulary.KINDS) and every reason, as ",crisis,report,".
    kind: Mapped[str] = mapped_column(String(24))
    tags: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # The author had no post out yet when this item opened: a first-time poster.
    newcomer: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ItemStatus] = mapped_column(String(16), default=ItemStatus.open, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The first claim or decision: "time to first action" on the dashboard.
    first_action_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When the poster was shown the help lines (right after posting, or in a moderator's check-in).
    lines_shown_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(32), default="")

    post: Mapped[Post | None] = relationship(lazy="raise")
    subject: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[subject_id])
    claimed_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[claimed_by_id])
    resolved_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[resolved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    def claimed_by_other(self, viewer: User, now: dt.datetime | None = None) -> bool:
        return (
            self.claimed_by_id is not None
            and self.claimed_by_id != viewer.id
            and self.claimed_until is not None
            and self.claimed_until > (now or utcnow())
        )


class Report(TimestampMixin, Base):
    """A member's or visitor's report on a post; an "illegal" one is a DSA Art. 16 notice."""

    __tablename__ = "review_reports"
    __table_args__ = (
        # One open report per member and post, held by the database itself: reports sent at once
        # cannot both be stored (issue 9). Once decided (outcome set), the member may report again.
        Index("uq_review_reports_open_per_member", "post_id", "reporter_id", unique=True,
              postgresql_where=text("outcome = '' AND reporter_id IS NOT NULL"),
              sqlite_where=text("outcome = '' AND reporter_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id", ondelete="SET NULL"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"),
                                                    index=True)
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    # Art. 16 notices: the exact location, who sends it (optional here: no e-mail is ever
    # required), and the good-faith statement.
    location: Mapped[str] = mapped_column(String(500), default="")
    notifier_name: Mapped[str] = mapped_column(String(120), default="")
    notifier_contact: Mapped[str] = mapped_column(String(200), default="")
    good_faith: Mapped[bool] = mapped_column(Boolean, default=False)
    # Visitors follow their notice with a secret link; only its hash is kept.
    token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    # What came of it: "action_taken" or "no_action", with the decision that settled it.
    outcome: Mapped[str] = mapped_column(String(20), default="")
    outcome_action: Mapped[str] = mapped_column(String(20), default="")
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id", ondelete="SET NULL"))

    reporter: Mapped[User | None] = relationship(lazy="raise")


class Decision(TimestampMixin, Base):
    """One moderator action on content or on a member, with everything needed to explain and undo it."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id", ondelete="SET NULL"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text)
    # Facts for the statement: found by the automatic checks, and/or reported by someone.
    automated: Mapped[bool] = mapped_column(Boolean, default=False)
    reported: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_days: Mapped[int | None] = mapped_column(Integer, default=None)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # What the action changed, so that an appeal can undo it (e.g. {"category_id": 3}).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reversed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    actor: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[subject_id])


class Statement(TimestampMixin, Base):
    """A statement of reasons (DSA Art. 17) sent to a member, in their language when they read it."""

    __tablename__ = "review_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decisions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text)
    automated: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the case came to moderators: "automated", "report", "moderator" (own initiative), "appeal".
    source: Mapped[str] = mapped_column(String(12))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="SET NULL"))
    duration_days: Mapped[int | None] = mapped_column(Integer, default=None)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    # None: nothing to contest (an approval, or an appeal's outcome).
    appeal_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    decision: Mapped[Decision] = relationship(lazy="raise")


class Appeal(TimestampMixin, Base):
    """A member asks for another look at a decision (DSA Art. 20); another moderator decides."""

    __tablename__ = "review_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("review_statements.id", ondelete="CASCADE"), unique=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # "open", then "upheld" (the decision stands) or "reversed" (it is undone).
    status: Mapped[str] = mapped_column(String(12), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    outcome_statement_id: Mapped[int | None] = mapped_column(ForeignKey("review_statements.id", ondelete="SET NULL"))
    # The queue item that carries it to moderators.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id", ondelete="SET NULL"), index=True)

    statement: Mapped[Statement] = relationship(lazy="raise", foreign_keys=[statement_id])


class Sanction(TimestampMixin, Base):
    """A warning, silence, suspension or ban on a member; the account carries the one in force."""

    __tablename__ = "review_sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id", ondelete="SET NULL"))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class MemberNote(TimestampMixin, Base):
    """A moderators' private note about a member (never shown to other members)."""

    __tablename__ = "review_member_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[author_id])


class AuditEntry(TimestampMixin, Base):
    """Append-only record of every moderator and admin action.

    No route updates or deletes a row, and the database refuses it too (a
    trigger, see the migration). So the actor is a plain id with the pseudonym
    as it was, not a foreign key that would rewrite the row when an account goes.
    """

    __tablename__ = "review_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    actor_name: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Before/after for changes; edits point at the kept revision instead of copying text.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Label(TimestampMixin, Base):
    """A moderator's verdict on a flagged category of a post: training data for the engine.

    `forum moderation retrain` reads these through `review.labels.list_labels`.
    The text is the post as it was judged; it goes when its author erases their posts.
    """

    __tablename__ = "review_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(32), index=True)
    confirmed: Mapped[bool] = mapped_column(Boolean)
    # Who raised it: "rule", "model" or "report".
    source: Mapped[str] = mapped_column(String(8))


class CannedReply(TimestampMixin, Base):
    """A reply text moderators start from, per purpose and language."""

    __tablename__ = "review_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "crisis_public", "crisis_private", "welcome" or "general".
    purpose: Mapped[str] = mapped_column(String(20), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))


class Conversation(TimestampMixin, Base):
    """Moderators and one member, in private (no member-to-member messages in this version)."""

    __tablename__ = "review_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id", ondelete="SET NULL"))
    last_message_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    member_unread: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_unread: Mapped[bool] = mapped_column(Boolean, default=False)

    member: Mapped[User] = relationship(lazy="raise", foreign_keys=[member_id])


class Message(TimestampMixin, Base):
    __tablename__ = "review_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("review_conversations.id", ondelete="CASCADE"),
                                                 index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    from_staff: Mapped[bool] = mapped_column(Boolean)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise")


class ModeratorSettings(Base):
    """A moderator's own switches: a pause from crisis items (they go to others meanwhile)."""

    __tablename__ = "review_moderator_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    crisis_paused_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class GuidelineRevision(TimestampMixin, Base):
    """One version of a wording-guideline entry edited from the web; append-only.

    The newest revision of each (lang, entry_id) is the entry in force: it
    overrides the lexicon file's entry of that id, adds a new one, or (not
    enabled) switches one off.
    """

    __tablename__ = "review_guideline_revisions"
    __table_args__ = (UniqueConstraint("lang", "entry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(2))
    entry_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    patterns: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text)
