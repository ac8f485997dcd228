"""Engine, models' base, and the one place application code commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.errors import AppError
from app.settings import Settings

log = logging.getLogger("forum.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC on the way in and out; SQLite drops tzinfo, so restore it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use app.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, durable writes, waits instead of failing, and BEGIN IMMEDIATE for writers.

    A deferred BEGIN that reads then writes fails at once with "database is
    locked" when another connection writes meanwhile, whatever busy_timeout says;
    an IMMEDIATE transaction takes the write lock up front and waits for it.
    Read-only transactions stay deferred so readers never queue behind writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # diaries are health data; writes are rare
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """An engine and two session factories: read-only (deferred) and writing (immediate)."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
        self.is_sqlite = settings.is_sqlite
        self.write_factory = sessionmaker(self.engine, expire_on_commit=False, info={"db": self})
        reader = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self.read_factory = sessionmaker(reader, expire_on_commit=False, info={"db": self})
        # Called after a commit that wrote search outbox rows (the in-process indexer).
        self.on_outbox: Callable[[], None] | None = None

    def session(self, *, write: bool = True) -> Session:
        return (self.write_factory if write else self.read_factory)()

    def dispose(self) -> None:
        self.engine.dispose()


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def after_commit(session: Session, callback: Callable[[], None], *, key: str | None = None) -> None:
    """Run callback once the session's outermost transaction commits; dropped on rollback.

    Works for every session (requests, the CLI, tests): the hooks hang on
    SQLAlchemy's session events, not on the request. A `key` registers a
    callback once per transaction however often it is asked for.
    """
    callbacks: dict[object, Callable[[], None]] = session.info.setdefault("after_commit", {})
    callbacks[key if key is not None else object()] = callback


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT is released; the outer
    # transaction is still open then (on SQLite it holds the write lock, which a
    # callback that writes would wait for), so wait for the real commit.
    if session.in_nested_transaction():
        return
    for callback in session.info.pop("after_commit", {}).values():
        try:
            callback()
        except Exception:  # a side effect must never turn a committed write into an error
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop("after_commit", None)


def _discard(session: Session) -> None:
    # Detach first: a rollback would expire every object, and the error
    # page still reads the viewer's pseudonym and role.
    session.expunge_all()
    session.rollback()


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. The only commit in application code."""
    db: Database = request.app.state.db
    with db.session(write=request.method not in _SAFE_METHODS) as session:
        try:
            yield session
            session.commit()
        except AppError as exc:
            # An expected failure that must leave a trace (a counted log-in attempt)
            # commits; every other one leaves the database as it was.
            if exc.keep_changes:
                session.commit()
            else:
                _discard(session)
            raise
        except Exception:
            _discard(session)
            raise


# scope="function": the commit runs before the response is sent, so a failed commit
# is a 500, never a 303 that lied, and the redirected page sees committed data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
