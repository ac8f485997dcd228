"""Keeps the member's count of unopened statements and moderators' messages in step (shown on every page)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.review.models import Conversation, Statement
from app.review.vocabulary import INFORMATIONAL_ACTIONS


def refresh(session: Session, user_id: int) -> int:
    """Recount from the rows themselves (never a drifting +1/-1)."""
    user = session.get(User, user_id)
    if user is None:
        return 0
    session.flush()
    statements = session.scalar(select(func.count(Statement.id)).where(
        Statement.user_id == user_id, Statement.read_at.is_(None),
        Statement.action.not_in(INFORMATIONAL_ACTIONS))) or 0
    conversations = session.scalar(select(func.count(Conversation.id)).where(
        Conversation.member_id == user_id, Conversation.member_unread.is_(True))) or 0
    accounts.set_moderation_unread(session, user=user, count=statements + conversations)
    return user.moderation_unread
