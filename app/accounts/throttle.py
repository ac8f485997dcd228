"""Fixed-window attempt counters in the database, so every worker shares them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import ThrottleBucket
from app.db import utcnow

#: Failures of one client on one pseudonym are remembered for a day (the client key itself changes daily).
PAIR_WINDOW_SECONDS = 86400
PAIR_PREFIX = "p:"


def window_start(now: dt.datetime, window_seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % window_seconds, dt.UTC)


def attempts(session: Session, key: str, window_seconds: int) -> int:
    return latest(session, key, window_seconds)[0]


def latest(session: Session, key: str, window_seconds: int) -> tuple[int, dt.datetime | None]:
    """The current window's count for a key, and when it last counted."""
    start = window_start(utcnow(), window_seconds)
    row = session.execute(
        select(ThrottleBucket.count, ThrottleBucket.last_at)
        .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start)
    ).first()
    return (int(row[0]), row[1]) if row else (0, None)


def is_limited(session: Session, key: str, limit: int, window_seconds: int) -> bool:
    return attempts(session, key, window_seconds) >= limit


def record_attempt(session: Session, key: str, window_seconds: int, amount: int = 1) -> None:
    """Count `amount` uses (1, or more for a request that costs more: see ratelimit.preview_cost)."""
    now = utcnow()
    start = window_start(now, window_seconds)
    updated = session.execute(
        update(ThrottleBucket)
        .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start)
        .values(count=ThrottleBucket.count + amount, last_at=now)
    )
    if updated.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(ThrottleBucket(key=key, window_start=start, count=amount, last_at=now))
    except IntegrityError:  # another worker created the bucket meanwhile
        record_attempt(session, key, window_seconds, amount)


def consume(session: Session, key: str, limit: int, window_seconds: int) -> bool:
    """Count one use unless `limit` uses are counted in this window already; True when it was counted.

    Check and count are one conditional UPDATE (or the INSERT of the window's
    first use), so concurrent requests, in any worker, can never both take the
    last slot: "is_limited, then record_attempt" lets twenty requests at once
    all pass (issue 9). On PostgreSQL a concurrent UPDATE waits for the other's
    commit, then re-checks the condition on the row as it now is.
    """
    if limit <= 0:
        return False
    now = utcnow()
    start = window_start(now, window_seconds)
    take = (update(ThrottleBucket)
            .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start, ThrottleBucket.count < limit)
            .values(count=ThrottleBucket.count + 1, last_at=now))
    if session.execute(take).rowcount:  # type: ignore[attr-defined]
        return True
    try:
        with session.begin_nested():
            session.add(ThrottleBucket(key=key, window_start=start, count=1, last_at=now))
        return True
    except IntegrityError:  # the window's bucket exists: full, or just created by another request
        return bool(session.execute(take).rowcount)  # type: ignore[attr-defined]


def take_if(session: Session, key: str, window_seconds: int,
            allowed: Callable[[int, dt.datetime | None], bool]) -> bool:
    """Count one attempt if `allowed(count, last_at)` holds for the window's count as it is now; True when counted.

    For rules one conditional UPDATE cannot state (a wait that grows with the
    count): read, decide, then count only if the count is still the one read
    (compare-and-set), else read again. Of many requests at once each sees the
    count the previous ones left, so no more than the rule allows get through.
    """
    start = window_start(utcnow(), window_seconds)
    for _ in range(50):
        count, last = latest(session, key, window_seconds)
        if not allowed(count, last):
            return False
        now = utcnow()
        if last is None:
            try:
                with session.begin_nested():
                    session.add(ThrottleBucket(key=key, window_start=start, count=1, last_at=now))
                return True
            except IntegrityError:  # another request counted first: read again
                continue
        taken = session.execute(
            update(ThrottleBucket)
            .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start, ThrottleBucket.count == count)
            .values(count=ThrottleBucket.count + 1, last_at=now))
        if taken.rowcount:  # type: ignore[attr-defined]
            return True
    return False


def give_back(session: Session, key: str, window_seconds: int) -> None:
    """Uncount one attempt counted in this window (it turned out not to count: a refusal, a success)."""
    start = window_start(utcnow(), window_seconds)
    session.execute(update(ThrottleBucket)
                    .where(ThrottleBucket.key == key, ThrottleBucket.window_start == start, ThrottleBucket.count > 0)
                    .values(count=ThrottleBucket.count - 1))


def seconds_left(window_seconds: int) -> int:
    """Until the current window ends (Retry-After for a full bucket)."""
    now = utcnow()
    return max(1, int((window_start(now, window_seconds) - now).total_seconds()) + window_seconds)


def clear(session: Session, key: str) -> None:
    session.execute(delete(ThrottleBucket).where(ThrottleBucket.key == key))


def purge_expired(session: Session, window_seconds: int) -> int:
    """Delete buckets of past windows (pair buckets, keyed "p:...", live for a day)."""
    now = utcnow()
    pair = ThrottleBucket.key.startswith(PAIR_PREFIX)
    short = session.execute(delete(ThrottleBucket).where(
        ThrottleBucket.window_start < window_start(now, window_seconds), ~pair))
    long = session.execute(delete(ThrottleBucket).where(
        ThrottleBucket.window_start < window_start(now, PAIR_WINDOW_SECONDS), pair))
    return int(short.rowcount or 0) + int(long.rowcount or 0)  # type: ignore[attr-defined]
