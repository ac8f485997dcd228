"""A member's statements of reasons: listing, reading, and what each one says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound
from app.forum.models import Thread
from app.review import events, unread
from app.review.models import Appeal, Statement
from app.review.vocabulary import ACTIONS, INFORMATIONAL_ACTIONS, RULES, STATEMENT_SOURCES, Action, Rule


@dataclass(frozen=True)
class StatementView:
    """A statement with the words the member reads: what was done, on which rule, how it came about."""

    statement: Statement
    action: Action
    rule: Rule | None
    source_text: str
    thread_title: str | None
    appeal: Appeal | None

    @property
    def appealable(self) -> bool:
        until = self.statement.appeal_until
        return self.appeal is None and until is not None and until > utcnow()


def list_for(session: Session, *, user: User) -> list[Statement]:
    return list(session.scalars(select(Statement).where(Statement.user_id == user.id)
                                .order_by(Statement.id.desc())))


def unread_count(session: Session, *, user: User) -> int:
    return session.scalar(select(func.count(Statement.id)).where(
        Statement.user_id == user.id, Statement.read_at.is_(None))) or 0


def access(session: Session, viewer: User, statement_id: int) -> Statement:
    """Only the member it was sent to reads a statement."""
    statement = session.get(Statement, statement_id)
    if statement is None or statement.user_id != viewer.id:
        raise NotFound()
    return statement


def mark_read(session: Session, statement: Statement) -> None:
    if statement.read_at is None:
        statement.read_at = utcnow()
        unread.refresh(session, statement.user_id)
        events.publish(events.StatementRead(session=session, statement_id=statement.id, user_id=statement.user_id))


def mark_informational_read(session: Session, *, user: User) -> None:
    for statement in session.scalars(select(Statement).where(
            Statement.user_id == user.id, Statement.read_at.is_(None),
            Statement.action.in_(INFORMATIONAL_ACTIONS))):
        mark_read(session, statement)


def views(session: Session, statements: list[Statement]) -> list[StatementView]:
    thread_ids = {s.thread_id for s in statements if s.thread_id}
    titles: dict[int, str] = {row.id: row.title for row in session.execute(
        select(Thread.id, Thread.title).where(Thread.id.in_(thread_ids)))} if thread_ids else {}
    appeals = {a.statement_id: a for a in session.scalars(select(Appeal).where(
        Appeal.statement_id.in_([s.id for s in statements])))} if statements else {}
    return [StatementView(statement=s, action=ACTIONS[s.action], rule=RULES.get(s.rule),
                          source_text=STATEMENT_SOURCES.get(s.source, ""),
                          thread_title=titles.get(s.thread_id) if s.thread_id else None,
                          appeal=appeals.get(s.id)) for s in statements]


def export_for_member(session: Session, *, user: User) -> list[dict[str, object]]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return [{"id": s.id, "action": s.action, "rule": s.rule, "reason": s.reason, "automated": s.automated,
             "source": s.source, "post_id": s.post_id, "duration_days": s.duration_days, "ends_at": iso(s.ends_at),
             "created_at": iso(s.created_at), "appeal_until": iso(s.appeal_until)}
            for s in list_for(session, user=user)]
