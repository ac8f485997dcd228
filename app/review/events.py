"""What review announces to the domains built on it (notifications), on the forum's event bus.

Review imports none of its listeners: notifications subscribes at start-up
(app/wiring.py), so the arrows between packages stay one-way. Listeners run at
once, in the caller's session and transaction: what they write commits, or
rolls back, with the decision or message. Events carry ids, never text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.forum.events import publish, subscribe

__all__ = ["ConversationRead", "ReportsSettled", "StaffMessageSent", "StatementRead", "StatementSent", "publish",
           "subscribe"]


@dataclass(frozen=True)
class StatementSent:
    """A statement of reasons went to a member (a decision, an appeal's outcome, a welcome approval)."""

    session: Session
    statement_id: int
    user_id: int
    action: str  # the decision's action ("approve", "hide", "silence", ...)
    source: str  # how it came about ("welcome", "moderator", "automated", "report", ...)
    post_id: int | None
    thread_id: int | None


@dataclass(frozen=True)
class StatementRead:
    """The member opened a statement of theirs."""

    session: Session
    statement_id: int
    user_id: int


@dataclass(frozen=True)
class StaffMessageSent:
    """A moderator wrote to a member (a new conversation or a reply in one)."""

    session: Session
    conversation_id: int
    member_id: int


@dataclass(frozen=True)
class ConversationRead:
    """The member read the latest messages of a conversation with the moderators."""

    session: Session
    conversation_id: int
    member_id: int


@dataclass(frozen=True)
class ReportsSettled:
    """A decision settled these reports; (report id, reporter id) for reporters with an account."""

    session: Session
    reports: tuple[tuple[int, int], ...]
