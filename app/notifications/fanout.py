"""Telling every watcher of a thread about a new post, without a loop over the watchers.

The recipients are chosen and their notifications written by one
INSERT ... SELECT: thread watchers, plus category watchers who set nothing else
for the thread, minus the author, members who switched the kind off and members
whose account is not active. A conflict on (member, "post:<id>") skips whoever
was already told about the post (a mention beats a reply), so a fan-out may
run twice without notifying anyone twice.

Small threads fan out inside the post's transaction. A thread with more than
`inline_fanout_max` watchers gets one outbox row instead, drained after the
commit: by a background thread of the same process (`worker = "inprocess"`,
the embedded default) or by `forum worker` (production). The request that
posted never waits for five thousand inserts.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, delete, exists, func, literal, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.accounts.models import User, UserStatus
from app.db import Database, UTCDateTime, after_commit, autoflushed_connection, utcnow
from app.forum.models import Post, PostStatus, Thread
from app.notifications.models import (
    SWITCHABLE,
    CategoryLevel,
    CategoryWatch,
    Kind,
    Notification,
    OutboxEntry,
    Preferences,
    ThreadWatch,
    WatchLevel,
)
from app.settings import NotificationSettings, Settings

log = logging.getLogger("forum.notifications")
BATCH = 20


def upsert(session: Session, model: Any) -> Any:
    """An INSERT that can take ON CONFLICT clauses, in the session's dialect (SQLite and PostgreSQL both have them)."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def insert_ignoring_conflicts(session: Session, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING."""
    return upsert(session, model).on_conflict_do_nothing()


def post_key(post_id: int) -> str:
    return f"post:{post_id}"


def _category_levels(kind: Kind) -> ColumnElement[bool]:
    """The category watch levels that hear of `kind`, as plain comparisons: an IN list of constants would
    be an expanding parameter, its SQL rewritten at every execution of these per-post statements."""
    levels = [CategoryLevel.watching, CategoryLevel.new_threads] if kind == Kind.new_thread else [
        CategoryLevel.watching]
    return or_(*(CategoryWatch.level == level for level in levels))


def _watchers(thread_id: Any, category_id: Any, kind: Kind) -> Select[Any]:
    """Members watching the thread, or its category when they set nothing for the thread."""
    own = select(ThreadWatch.user_id.label("user_id")).where(
        ThreadWatch.thread_id == thread_id, ThreadWatch.level == WatchLevel.watching)
    by_category = select(CategoryWatch.user_id.label("user_id")).where(
        CategoryWatch.category_id == category_id, _category_levels(kind),
        ~exists().where(ThreadWatch.thread_id == thread_id, ThreadWatch.user_id == CategoryWatch.user_id),
    )
    return union(own, by_category)  # type: ignore[return-value]


# The statements of every post, built once per shape (values are bound at execution): executing
# the same statement object spares SQLAlchemy rebuilding and re-walking it (its cache key) each time.
_COUNTS: dict[Kind, Any] = {}
_FAN_OUTS: dict[tuple[str, Kind, bool, bool], Any] = {}


def _watcher_count(kind: Kind) -> Any:
    """Watchers counted up to `:up_to` in each source (the thread's, the category's), as one scalar."""
    own = select(ThreadWatch.id).where(ThreadWatch.thread_id == bindparam("thread_id"),
                                       ThreadWatch.level == WatchLevel.watching)
    by_category = select(CategoryWatch.id).where(CategoryWatch.category_id == bindparam("category_id"),
                                                 _category_levels(kind))
    counts = [select(func.count()).select_from(q.limit(bindparam("up_to")).subquery()).scalar_subquery()
              for q in (own, by_category)]
    return counts[0] + counts[1]


def _count_statement(kind: Kind) -> Any:
    statement = _COUNTS.get(kind)
    if statement is None:
        statement = _COUNTS[kind] = select(_watcher_count(kind))
    return statement


def count_watchers(session: Session, *, thread_id: int, category_id: int, kind: Kind, up_to: int) -> int:
    """How many watchers, counted up to `up_to` in each source: enough to choose inline or outbox.

    Each side stops at `up_to` rows of its (thread or category, level) index; a
    member watching both is counted twice, which only matters near the threshold.
    """
    row = autoflushed_connection(session).execute(_count_statement(kind), {
        "thread_id": thread_id, "category_id": category_id, "up_to": up_to}).scalar()
    return int(row or 0)


def _fan_out_statement(dialect: str, kind: Kind, has_author: bool, guarded: bool) -> Any:
    key = (dialect, kind, has_author, guarded)
    statement = _FAN_OUTS.get(key)
    if statement is not None:
        return statement
    watchers = _watchers(bindparam("thread_id"), bindparam("category_id"), kind).subquery()
    wanted = func.coalesce(getattr(Preferences, kind.value), SWITCHABLE[kind])
    recipients = (
        select(
            watchers.c.user_id, literal(kind.value), bindparam("thread_id", type_=Integer()),
            bindparam("post_id", type_=Integer()), bindparam("actor_id", type_=Integer()),
            bindparam("group_key", type_=String()), bindparam("created_at", type_=UTCDateTime()),
        )
        .select_from(watchers)
        .join(User, User.id == watchers.c.user_id)
        .outerjoin(Preferences, Preferences.user_id == watchers.c.user_id)
        .where(User.status == UserStatus.active, wanted)
    )
    if has_author:
        recipients = recipients.where(watchers.c.user_id != bindparam("actor_id"))
    if guarded:  # nobody at all when count_watchers would say more than `at_most`
        recipients = recipients.where(_watcher_count(kind) < bindparam("up_to"))
    columns = ["user_id", "kind", "thread_id", "post_id", "actor_id", "group_key", "created_at"]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = _FAN_OUTS[key] = insert(Notification).on_conflict_do_nothing().from_select(columns, recipients)
    return statement


def fan_out(session: Session, *, post: Post, thread: Thread, kind: Kind, at_most: int | None = None) -> int:
    """Write one notification per watcher of the post's thread, in one statement; returns rows written.

    With `at_most`, nobody is notified when `count_watchers` (up to `at_most + 1`) would
    say more than that: the outbox's case. The choice and the fan-out in one statement.
    """
    session.flush()
    connection = session.connection()
    statement = _fan_out_statement(connection.dialect.name, kind, post.author_id is not None, at_most is not None)
    return int(connection.execute(statement, {
        "thread_id": thread.id, "category_id": thread.category_id, "post_id": post.id, "actor_id": post.author_id,
        "group_key": post_key(post.id), "created_at": utcnow(), "up_to": (at_most or 0) + 1},
        # Without it, psycopg's INSERT ... SELECT reports -1 rows through SQLAlchemy (announce reads it).
        execution_options={"preserve_rowcount": True}).rowcount or 0)


def announce(session: Session, *, post: Post, thread: Thread, kind: Kind) -> None:
    """Fan out now if the thread is small; otherwise leave it to the worker (after the commit).

    One statement in the usual case: the guarded fan-out writes nothing for a thread
    with too many watchers, and only a fan-out that wrote nothing asks which it was.
    """
    db = session.info.get("db")  # absent for a session on a bare engine (a CLI tool, a backup check)
    installed = _installed.get(db) if db is not None else None
    limit = installed.settings.inline_fanout_max if installed else NotificationSettings().inline_fanout_max
    written = fan_out(session, post=post, thread=thread, kind=kind, at_most=limit)
    if written > 0 or count_watchers(session, thread_id=thread.id, category_id=thread.category_id, kind=kind,
                                     up_to=limit + 1) <= limit:
        return
    session.add(OutboxEntry(post_id=post.id, kind=kind))
    if installed is not None and installed.runner is not None:
        after_commit(session, installed.runner, key="notifications-outbox")


def _process(session: Session, entry: OutboxEntry) -> int:
    row = session.execute(
        select(Post, Thread).join(Thread, Thread.id == Post.thread_id).where(Post.id == entry.post_id)
    ).first()
    if row is None:
        return 0
    post, thread = row
    # Deleted, hidden or held again since it was posted: nobody is told about it.
    if post.status != PostStatus.published or thread.status != PostStatus.published:
        return 0
    return fan_out(session, post=post, thread=thread, kind=Kind(entry.kind))


def process_pending(session: Session, *, batch: int = BATCH, older_than: float = 0.0) -> int:
    """Fan out up to `batch` outbox entries in the caller's transaction; returns how many were done.

    On PostgreSQL several workers skip each other's rows (FOR UPDATE SKIP LOCKED);
    on SQLite the writers' BEGIN IMMEDIATE serialises them.
    """
    query = select(OutboxEntry).order_by(OutboxEntry.id).limit(batch)
    if older_than:
        query = query.where(OutboxEntry.created_at < utcnow() - dt.timedelta(seconds=older_than))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    entries = list(session.scalars(query))
    for entry in entries:
        _process(session, entry)
    if entries:
        session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_([e.id for e in entries])))
    return len(entries)


def drain(db: Database, *, batch: int = BATCH) -> int:
    """Fan out everything pending, one batch per transaction."""
    done = 0
    while True:
        with db.session() as session:
            count = process_pending(session, batch=batch)
            session.commit()
        if not count:
            return done
        done += count


def pending(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count(OutboxEntry.id))) or 0)


class InProcessFanout:
    """Drains the outbox on a background thread after each commit that wrote to it.

    One thread at a time per process; a commit arriving while it runs only marks
    more work, which the running thread picks up before it stops.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._more = False
        self._thread: threading.Thread | None = None

    def __call__(self) -> None:
        with self._lock:
            self._more = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="notifications-fanout", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._more:
                    self._thread = None
                    return
                self._more = False
            try:
                drain(self.db)
            except Exception:  # the database is busy or down: the next commit, or housekeeping, retries
                log.exception("notification fan-out failed")

    def wait(self, timeout: float = 10.0) -> None:
        """Until the background thread is done (tests, and a clean shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


@dataclass
class Installed:
    settings: NotificationSettings
    runner: InProcessFanout | None


# Per database (the app's, a test's): its settings and, in-process, its fan-out thread.
# Sessions of a database that was never installed (a CLI command's) use the defaults
# and leave large fan-outs to the worker or the app's start-up catch-up.
_installed: weakref.WeakKeyDictionary[Database, Installed] = weakref.WeakKeyDictionary()


def install(settings: Settings, db: Database) -> InProcessFanout | None:
    """Remember the settings for this database; with `worker = "inprocess"`, fan out after each commit."""
    config = settings.notifications
    previous = _installed.get(db)
    runner = previous.runner if previous is not None and previous.runner is not None else InProcessFanout(db)
    _installed[db] = Installed(settings=config, runner=runner if config.worker == "inprocess" else None)
    return _installed[db].runner


def run_forever(db: Database, *, interval: float = 1.0) -> None:
    """`forum worker`'s notifications half: poll the outbox; the sleep keeps an idle worker nearly free."""
    while True:
        try:
            done = drain(db)
        except Exception:
            log.exception("notification fan-out failed")
            done = 0
        if not done:
            time.sleep(interval)
