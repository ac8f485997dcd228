"""Engine, models' base, and the one place application code commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.errors import AppError
from app.instruments import instrument_pool
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


def sqlalchemy_url(url: str) -> str:
    """postgresql://... as given in settings, with the driver SQLAlchemy should use."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(settings: Settings, url: str | None = None) -> Engine:
    url = url or settings.database_url
    # hide_parameters: an error message must never carry what a member typed into a log.
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5}, hide_parameters=True)
        _configure_sqlite(engine)
    else:
        # pool_pre_ping: after a database restart, dead pooled connections are noticed and
        # replaced on checkout, so the app recovers by itself. connect_timeout: a database
        # that does not answer yields a quick 503, not a hung worker.
        engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10,
                               connect_args={"connect_timeout": 5}, hide_parameters=True)
    instrument_pool(engine)
    return engine


def is_unavailable(exc: BaseException) -> bool:
    """True when a database error means "not reachable or busy right now", not a bug."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(orig, psycopg.OperationalError)
    if module.startswith("sqlite3"):
        message = str(orig).lower()
        return any(word in message for word in ("locked", "busy", "unable to open", "disk i/o"))
    return False


class Database:
    """An engine and two session factories: read-only (deferred) and writing (immediate).

    With FORUM_DATABASE_REPLICA_URL, `replica` is a second, read-only Database on a
    streaming replica, for requests that tolerate a little lag (see get_session).
    """

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self.engine = make_engine(settings, url)
        self.is_sqlite = (url or settings.database_url).startswith("sqlite")
        self.replica: Database | None = None
        if url is None and settings.database_replica_url:
            self.replica = Database(settings, settings.database_replica_url)
        self.write_factory = sessionmaker(self.engine, expire_on_commit=False, info={"db": self})
        reader = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self.read_factory = sessionmaker(reader, expire_on_commit=False, info={"db": self})
        # Called after a commit that wrote search outbox rows (the in-process indexer).
        self.on_outbox: Callable[[], None] | None = None

    def session(self, *, write: bool = True) -> Session:
        return (self.write_factory if write else self.read_factory)()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()

    def lagging_read_session(self) -> Session:
        """A read session on the replica when there is one and it answers; else on the primary."""
        if self.replica is not None:
            session = self.replica.session(write=False)
            try:
                session.connection()  # connect now, so a dead replica falls back instead of failing later
                return session
            except DBAPIError as exc:
                session.close()
                log.warning("read replica not answering, reading from the primary (%s)", type(exc.orig).__name__)
        return self.session(write=False)


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


def _open_for(request: Request, db: Database) -> Session:
    if request.method not in _SAFE_METHODS:
        return db.session()
    # Anonymous readers may see a replica a moment behind; a member reads the primary, so
    # what they just wrote is on the page they are redirected to.
    if getattr(request.state, "anonymous", False):
        return db.lagging_read_session()
    return db.session(write=False)


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. The only commit in application code."""
    db: Database = request.app.state.db
    with _open_for(request, db) as session:
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
