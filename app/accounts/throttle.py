"""Fixed-window attempt counters in the database, so every worker shares them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import ThrottleBucket
from app.db import utcnow


def window_start(now: dt.datetime, window_seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % window_seconds, dt.UTC)


def attempts(session: Session, key: str, window_seconds: int) -> int:
    start = window_start(utcnow(), window_seconds)
    count = session.scalar(
        select(ThrottleBucket.count).where(ThrottleBucket.key == key, ThrottleBucket.window_start == start)
    )
    return count or 0


def is_limited(session: Session, key: str, limit: int, window_seconds: int) -> bool:
    return attempts(session, key, window_seconds) >= limit


def record_attempt(session: Session, key: str, window_seconds: int) -> None:
    start = window_start(utcnow(), window_seconds)
    updated = session.execute(
        update(ThrottleBucket)
        .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start)
        .values(count=ThrottleBucket.count + 1)
    )
    if updated.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(ThrottleBucket(key=key, window_start=start, count=1))
    except IntegrityError:  # another worker created the bucket meanwhile
        record_attempt(session, key, window_seconds)


def clear(session: Session, key: str) -> None:
    session.execute(delete(ThrottleBucket).where(ThrottleBucket.key == key))


def purge_expired(session: Session, window_seconds: int) -> int:
    cutoff = window_start(utcnow(), window_seconds)
    result = session.execute(delete(ThrottleBucket).where(ThrottleBucket.window_start < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
