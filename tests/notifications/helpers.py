"""Shared arrangements for the notifications tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum.models import Thread
from app.notifications.models import Notification, Preferences


def notifications_of(session: Session, user: User) -> list[Notification]:
    return list(session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ))


def kinds_of(session: Session, user: User) -> list[str]:
    return [n.kind for n in notifications_of(session, user)]


def set_preferences(session: Session, user: User, **values: bool) -> None:
    prefs = session.get(Preferences, user.id)
    if prefs is None:
        prefs = Preferences(user_id=user.id)
        session.add(prefs)
    for name, value in values.items():
        setattr(prefs, name, value)
    session.flush()


def thread_of(session: Session, thread_id: int) -> Thread:
    from sqlalchemy.orm import joinedload

    thread = session.scalar(select(Thread).options(joinedload(Thread.category)).where(Thread.id == thread_id))
    assert thread is not None
    return thread
