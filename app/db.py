"""Engine, models' base, and the one place application code commits."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import select
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import Annotated, Any, TypeVar

import anyio

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, make_transient_to_detached, mapped_column, sessionmaker
from sqlalchemy.orm.attributes import instance_dict, instance_state, set_committed_value
from sqlalchemy.types import TypeDecorator

from app.errors import AppError, DatabaseBusy
from app.instruments import instrument_pool
from app.settings import Settings

T = TypeVar("T")

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


def _configure_sqlite(engine: Engine, busy_timeout_ms: int = 5000) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # SQLite's busy handler polls with growing sleeps, so under many writers an
    # unlucky one can wait past busy_timeout while others keep taking the lock.
    # Inside one process, writers queue on a mutex first; only the few processes
    # then meet in SQLite's handler.
    mutex = threading.Lock()
    # Between processes (the server's workers), the writer holding the mutex then takes a lock
    # file: a writer whose BEGIN IMMEDIATE met SQLite's lock slept in its busy handler (1, 2,
    # 5, ... 100 ms) while the other process's writers, handing the lock on without a pause,
    # took it again and again: one worker did nearly all the writing and the other's waited
    # seconds. The lock file is polled every millisecond instead; BEGIN IMMEDIATE still waits
    # for any writer that does not take it.
    writers = _WriterFile(engine.url.database, busy_timeout_ms / 1000)

    def take_mutex(info: dict[str, Any]) -> None:
        if not mutex.acquire(timeout=WRITE_QUEUE_SECONDS):
            raise DatabaseBusy()
        info[_HOLDS_MUTEX] = True
        writers.acquire()

    def release_mutex(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_MUTEX, False):
            writers.release()
            mutex.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.info[_LAZY] = mode == "LAZY"
        if mode == "IMMEDIATE":
            take_mutex(conn.info)
        try:
            conn.exec_driver_sql("BEGIN DEFERRED" if mode == "LAZY" else f"BEGIN {mode}")
        except Exception:
            release_mutex(conn.info)
            raise

    def upgrade(conn: Any) -> None:
        conn.info[_LAZY] = False
        take_mutex(conn.info)
        try:
            _start_writing(conn.connection.dbapi_connection)
        except Exception:
            release_mutex(conn.info)
            raise

    _UPGRADERS[engine.pool] = upgrade

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_LAZY) and statement.lstrip()[:9].upper().startswith(_WRITES):
            upgrade(conn)

    # After the COMMIT (or ROLLBACK) itself, not at SQLAlchemy's "commit" event, which fires
    # before it: a writer let in while the COMMIT still syncs the WAL met SQLite's lock and
    # slept in its busy handler (1, 2, 5, 10... ms) instead of starting when the lock was free.
    def releasing(end: Callable[[Any], None]) -> Callable[[Any], None]:
        def end_then_release(dbapi_connection: Any) -> None:
            try:
                end(dbapi_connection)
            finally:
                try:  # the pool's proxy: its record's info
                    info = dbapi_connection.info
                except (AttributeError, NotImplementedError):  # a connection being set up, outside the pool
                    info = None
                if info is not None:
                    release_mutex(info)

        return end_then_release

    dialect = engine.dialect  # this engine's own (create_engine makes one per engine)
    dialect.do_commit = releasing(dialect.do_commit)  # type: ignore[method-assign,assignment]
    dialect.do_rollback = releasing(dialect.do_rollback)  # type: ignore[method-assign,assignment]
    # A connection handed back to the pool without a rollback through SQLAlchemy.
    event.listen(engine.pool, "checkin", lambda _dbapi, record: release_mutex(record.info))


class _WriterFile:
    """A lock file beside the database that a process's current writer holds (fcntl.flock).

    Taken by polling (every millisecond, up to the busy timeout; then the writer goes on to
    BEGIN IMMEDIATE and SQLite's own wait), never blocking without a bound. Opened at the
    first write of each process (a forked child opens its own: flock belongs to the open
    file), closed with the engine. Nothing for an in-memory database, where flock does not
    exist, or if the file cannot be opened (SQLite's busy handler alone, as before).
    """

    def __init__(self, database: str | None, timeout: float) -> None:
        self.timeout = timeout
        usable = database and database != ":memory:" and not database.startswith("file:") and fcntl is not None
        self.path = f"{database}-writer.lock" if usable else None
        self.fd: int | None = None
        self.pid = 0
        self.held = False
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def _open(self) -> int | None:
        if self.path is None:
            return None
        if self.fd is None or self.pid != os.getpid():
            try:
                self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            except OSError:
                log.warning("SQLite writers' lock file cannot be opened; relying on SQLite's busy handler")
                self.path = None
                return None
            self._finalizer = weakref.finalize(self, os.close, self.fd)
        return self.fd

    def acquire(self) -> None:
        fd = self._open()
        if fd is None:
            return
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's busy handler decides (a stuck process: 503 after its timeout)
                time.sleep(0.001)

    def release(self) -> None:
        if self.held and self.fd is not None:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)


_LAZY = "tk_lazy_write"  # this connection's transaction has only read so far
_UPGRADERS: weakref.WeakKeyDictionary[Any, Callable[[Any], None]] = weakref.WeakKeyDictionary()
_HOLDS_MUTEX = "tk_write_mutex"  # this connection holds its process's SQLite write mutex
#: How long a writer waits for the other writers of its process before giving up (503).
WRITE_QUEUE_SECONDS = 10.0
# SAVEPOINT too: a savepoint opens a block of writes, and the switch below would end it.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")
#: Extra tries to take the write lock after SQLite's own busy_timeout ran out, and the pause before each.
WRITE_LOCK_RETRIES = (0.05, 0.25)


def _start_writing(dbapi_connection: Any) -> None:
    """Turn a request's read transaction into a write transaction, just before its first write.

    A request used to take SQLite's write lock at its first statement (the
    session lookup) and keep it while screening and rendering; under load,
    others then waited past busy_timeout and got "database is locked" (issue 9,
    item 10). Now a writing request reads in a deferred transaction and, at its
    first write, ends it (nothing was written) and begins IMMEDIATE. Upgrading
    the deferred transaction in place would fail at once if another writer
    committed meanwhile; what was read stays loaded, as under PostgreSQL's READ
    COMMITTED, which is why counters are updated in SQL (forum.service).
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("COMMIT")
        for pause in (*WRITE_LOCK_RETRIES, None):
            try:
                cursor.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout for the lock
                return
            except sqlite3.OperationalError as exc:
                if pause is None or not _is_busy(exc):
                    raise DatabaseBusy() from exc
                time.sleep(pause * (1 + random.random()))  # noqa: S311 - jitter, not a secret
    finally:
        cursor.close()


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


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
        timeout = settings.sqlite_busy_timeout_ms
        # pool_size: a worker runs up to 40 requests at once (the thread pool); with SQLAlchemy's
        # default of 5 kept connections, every busy moment opened and closed SQLite connections
        # (file open plus the PRAGMAs below) for each request beyond the fifth.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout / 1000},
                               hide_parameters=True, pool_size=20, max_overflow=20)
        _configure_sqlite(engine, timeout)
    else:
        # After a database restart, dead pooled connections are noticed and replaced on checkout
        # (`_check_on_checkout`), so the app recovers by itself. connect_timeout: a database
        # that does not answer yields a quick 503, not a hung worker.
        engine = create_engine(sqlalchemy_url(url), pool_size=settings.database_pool_size,
                               max_overflow=settings.database_max_overflow, pool_timeout=settings.database_pool_timeout,
                               connect_args={"connect_timeout": 5}, hide_parameters=True)
        _check_on_checkout(engine)
    instrument_pool(engine)
    return engine


#: A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0
_CHECKED_IN = "tk_checked_in_at"


def _check_on_checkout(engine: Engine) -> None:
    """SQLAlchemy's pre-ping, without a round trip for a connection that was in use a moment ago.

    pool_pre_ping sent an empty query at every checkout: two round trips a reply (its
    request, then the search drain), for connections used milliseconds before. A server
    that restarted or ended the connection has sent its last message (the termination
    notice) and closed the socket, so the socket has something to read: that is checked
    without a round trip (a zero-timeout poll), and such a connection is pinged; so is one
    idle for longer than PING_AFTER_IDLE_SECONDS (a connection dropped on the way, with
    nothing sent). A failed ping raises DisconnectionError: the pool replaces the
    connection and tries again, as its pre-ping does.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.pop(_CHECKED_IN, None)
        if checked_in is None:  # just connected
            return
        if time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS and not _has_input(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"pooled connection is gone ({type(exc).__name__})") from exc
        if not alive:
            raise DisconnectionError("pooled connection is gone")


def _has_input(dbapi_connection: Any) -> bool:
    """Something to read on an idle connection's socket (a termination notice, the end of the stream),
    or no usable socket at all."""
    try:
        if dbapi_connection.closed or dbapi_connection.broken:
            return True
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll() here, no socket: ping
        return True


def is_unavailable(exc: BaseException) -> bool:
    """True when a database error means "not reachable or busy right now", not a bug."""
    if isinstance(exc, PoolTimeout):  # every pooled connection busy for pool_timeout seconds
        return True
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
    """An engine and three session factories: reading, writing, and a request's lazily writing one.

    On SQLite the first reads deferred, the second takes the write lock at its
    first statement (workers, the CLI), and the third reads deferred until its
    first write (requests that change something: see `_start_writing`).

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
        # Reads never take SQLite's write lock (a plain engine.connect() would: BEGIN IMMEDIATE).
        self.reader = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self.read_factory = sessionmaker(self.reader, expire_on_commit=False, info={"db": self})
        lazy = self.engine.execution_options(sqlite_begin="LAZY") if self.is_sqlite else self.engine
        self.request_write_factory = sessionmaker(lazy, expire_on_commit=False, info={"db": self})
        # Called after a commit that wrote search outbox rows (the in-process indexer).
        self.on_outbox: Callable[[], None] | None = None
        self._quick: sqlite3.Connection | None = None
        self._quick_lock = threading.Lock()
        url_parts = self.engine.url
        # A file database only: an in-memory one would be another, empty database on a second connection.
        self._quick_path = (url_parts.database if self.is_sqlite and url_parts.database
                            and url_parts.database != ":memory:" and not url_parts.query else None)

    def session(self, *, write: bool = True) -> Session:
        return (self.write_factory if write else self.read_factory)()

    def request_session(self, *, write: bool) -> Session:
        return (self.request_write_factory if write else self.read_factory)()

    def read_now(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """SQLite: one short read, done in the calling thread on a connection of this process's own.

        For the reads made on the event loop itself, before any thread is involved (the
        visitors' page cache reads its versions on every request: one indexed row, a few
        microseconds; a hand-over to the thread pool and a pooled SQLAlchemy connection cost
        ~30 times that). The connection is in autocommit (each read sees the last commit and
        holds no snapshot) and never waits: in WAL mode readers do not wait for writers, and in
        the rare case SQLite reports busy, the sqlite3.Error goes to the caller, which reads
        the usual way. None when this is not a SQLite file: read through a thread instead.
        """
        if self._quick_path is None:
            return None
        with self._quick_lock:  # one event loop per process in production; tests may run several in turn
            if self._quick is None:
                connection = sqlite3.connect(self._quick_path, isolation_level=None, check_same_thread=False)
                connection.execute("PRAGMA busy_timeout=0")
                self._quick = connection
            return self._quick.execute(sql, params).fetchall()

    def dispose(self) -> None:
        with self._quick_lock:
            if self._quick is not None:
                self._quick.close()
                self._quick = None
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


def autoflushed_connection(session: Session) -> Connection:
    """The session's connection, after the flush `session.execute` would have made (unless in `no_autoflush`).

    For prebuilt Core statements executed on the connection: they skip the ORM's
    per-statement work, and still see every object added to the session so far.
    """
    if session.autoflush:
        session.flush()
    return session.connection()


#: What the flush listeners would do for a new object that a Core INSERT wrote instead (see `attach_inserted`):
#: each hook gets (session, obj); page versions and the search outbox register theirs.
#: A hook also gets `companions`: True when the INSERT wrote the rows of INSERT_COMPANIONS with the object.
INSERTED_HOOKS: list[Callable[[Session, Any, bool], None]] = []
#: PostgreSQL: rows a prebuilt INSERT of a table (by name) may write in the same statement, as data-modifying
#: CTEs: each function gets the INSERT as a CTE (its RETURNING columns, `id` among them) and returns an INSERT
#: ... SELECT from it, whose parameters are named `p_<column>` as the new row's values are. The hook that
#: registers one writes nothing more for an object attached with `companions=True` (see forum.service._add_post).
INSERT_COMPANIONS: dict[str, list[Callable[[Any], Any]]] = {}


def attach_inserted(session: Session, obj: Any, *, companions: bool = False) -> None:
    """Make `obj`, a row just written by a prebuilt Core INSERT, a persistent object of `session`.

    For the most frequent writes (a reply): a statement built once skips the unit of work's
    per-flush bookkeeping. `obj` must carry every column's value, its primary key included
    (they become its loaded state: nothing is written again). What flush listeners record
    for a new object (the visitors' page versions, the search outbox) is recorded here by
    INSERTED_HOOKS, in the same transaction; `companions`: the INSERT also wrote INSERT_COMPANIONS' rows.
    """
    make_transient_to_detached(obj)
    session.add(obj)
    for hook in INSERTED_HOOKS:
        hook(session, obj, companions)


class RowLoader:
    """Persistent objects of one model from a Core row holding its table's columns in order: what the ORM's
    loading of `select(Model)` makes, without its per-execution work (for the lookups every request makes).

    `columns()` gives the columns to select; `load(session, row, start)` the object of the row's columns from
    `start` on: the session's own if its identity map holds it already (as the ORM would), else a new
    persistent one with every column loaded and its relationships not loaded.
    """

    def __init__(self, model: type[Any]) -> None:
        self.mapper = sa_inspect(model)
        table = self.mapper.local_table
        self.table_columns = list(table.c)
        self.keys = [self.mapper.get_property_by_column(column).key for column in self.table_columns]
        self.primary = [index for index, column in enumerate(self.table_columns) if column.primary_key]
        self.width = len(self.table_columns)

    def columns(self) -> list[Any]:
        return list(self.table_columns)

    def load(self, session: Session, row: Sequence[Any], start: int = 0) -> Any:
        values = row[start:start + self.width]
        identity = self.mapper.identity_key_from_primary_key([values[index] for index in self.primary])
        found = session.identity_map.get(identity)
        if found is not None:  # as the ORM does: what it holds is kept, what is unloaded (expired) is filled in
            missing = instance_state(found).unloaded
            if missing:
                for key, value in zip(self.keys, values, strict=True):
                    if key in missing:
                        set_committed_value(found, key, value)
            return found
        obj = self.mapper.class_manager.new_instance()
        instance_dict(obj).update(zip(self.keys, values, strict=True))
        make_transient_to_detached(obj)  # its identity from the loaded key; unloaded attributes (relationships) expired
        session.add(obj)
        return obj


def after_commit(session: Session, callback: Callable[[], None], *, key: str | None = None) -> None:
    """Run callback once the session's outermost transaction commits; dropped on rollback.

    Works for every session (requests, the CLI, tests): the hooks hang on
    SQLAlchemy's session events, not on the request. A `key` registers a
    callback once per transaction however often it is asked for.
    """
    callbacks: dict[object, Callable[[], None]] = session.info.setdefault("after_commit", {})
    callbacks[key if key is not None else object()] = callback


@event.listens_for(Session, "before_flush")
def _write_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # A lazily writing SQLite session takes the write lock here, before the flush
    # begins: a failure inside a flush would roll back and expire every loaded
    # object, and the 503 page still shows the viewer (see _start_writing).
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    conn = session.connection()
    upgrade = _UPGRADERS.get(conn.engine.pool)
    if conn.info.get(_LAZY) and upgrade is not None:
        upgrade(conn)


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:scope, :key)")


def _int4(value: int) -> int:
    """A number folded into PostgreSQL's signed 32-bit integer (advisory lock keys)."""
    return (value + 2**31) % 2**32 - 2**31


def serialize(session: Session, scope: str, key: int) -> None:
    """Until this transaction ends, others that serialise on the same (scope, key) wait for it.

    For rules a single statement cannot hold, "count, then write if under the
    limit" (posts per hour counted from the member's posts, one current taper
    plan): run the check after this call and it sees every earlier holder's
    committed writes, so twenty requests at once cannot all pass a check that
    only one should pass (issue 9). PostgreSQL: a transaction-level advisory lock
    (no row is locked, so it cannot deadlock with the counters' row updates);
    reads after it see what the previous holder committed (READ COMMITTED).
    SQLite: its write lock (one writer at a time), taken now rather than at the
    first write. Call it after slow work (screening, hashing), just before the
    check, so the lock is held briefly.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        upgrade = _UPGRADERS.get(conn.engine.pool)
        if conn.info.get(_LAZY) and upgrade is not None:
            upgrade(conn)
        return
    if (scope, key) in session.info.get(_SERIALIZED, ()):  # already this transaction's (held until it ends)
        return
    conn.execute(_ADVISORY_LOCK, advisory_lock_params(scope, key))
    serialized(session, scope, key)


_SERIALIZED = "tk_serialized"  # PostgreSQL: the (scope, key) turns this transaction holds


def advisory_lock_params(scope: str, key: int) -> dict[str, int]:
    """PostgreSQL: `serialize`'s lock as the parameters of pg_advisory_xact_lock(:scope, :key), for a statement
    that takes it with something else (then call `serialized`)."""
    return {"scope": _int4(zlib.crc32(scope.encode())), "key": _int4(key)}


def serialized(session: Session, scope: str, key: int) -> None:
    """This transaction took `serialize`'s lock itself (`advisory_lock_params`): a later `serialize` sends nothing."""
    session.info.setdefault(_SERIALIZED, set()).add((scope, key))


@event.listens_for(Session, "after_transaction_end")
def _forget_serialized(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # advisory transaction locks end with the outermost transaction only
        session.info.pop(_SERIALIZED, None)


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
        return db.request_session(write=True)
    # Anonymous readers may see a replica a moment behind; a member reads the primary, so
    # what they just wrote is on the page they are redirected to.
    if getattr(request.state, "anonymous", False):
        return db.lagging_read_session()
    return db.session(write=False)


def _commit(session: Session, db: Database) -> None:
    try:
        session.commit()
    except OperationalError as exc:
        _discard(session)
        if db.is_sqlite and _is_busy(exc):  # even after waiting and retrying: say so, keep the text
            raise DatabaseBusy() from exc
        raise
    except Exception:
        _discard(session)
        raise


def _end(session: Session, db: Database, error: BaseException | None) -> None:
    """After the request: commit, or leave the database as it was; then close. Re-raises nothing itself
    but what the commit raises, or DatabaseBusy in place of a busy SQLite `error`."""
    with session:
        if error is None:
            _commit(session, db)
        elif isinstance(error, OperationalError):
            _discard(session)
            if db.is_sqlite and _is_busy(error):
                raise DatabaseBusy() from error
        elif isinstance(error, AppError) and error.keep_changes:
            # An expected failure that must leave a trace (a counted log-in attempt)
            # commits; every other one leaves the database as it was.
            session.commit()
        elif isinstance(error, Exception):
            _discard(session)


#: Threads for ending requests' transactions (commit or rollback), apart from the threads that run routes.
COMMIT_THREADS = 40
_end_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = \
    weakref.WeakKeyDictionary()
_writer_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


async def _end_in_thread(session: Session, db: Database, error: BaseException | None) -> None:
    """`_end` on a worker thread of its own: the request holding SQLite's write lock never waits for a thread to commit.

    See `writer_turn`: with `_end` in the routes' thread pool, a burst of
    writers could take every thread while one of them waited for a thread to
    end the transaction the others were waiting for.
    """
    if error is None and not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        # Nothing to commit or roll back and no connection held (already committed by
        # `run_and_commit`, or never used): closing is bookkeeping, no hand-over needed.
        session.close()
        return
    loop = asyncio.get_running_loop()
    limiter = _end_limiters.get(loop)
    if limiter is None:
        limiter = _end_limiters[loop] = anyio.CapacityLimiter(COMMIT_THREADS)
    await anyio.to_thread.run_sync(_end, session, db, error, limiter=limiter)


async def run_and_commit(request: Request, session: Session, work: Callable[[], T]) -> T:
    """`work()`, then the request's commit, in one hand-over to a worker thread; returns what `work` returned.

    For async endpoints of frequent writes (a reply through the API). A plain `def` endpoint
    costs three hand-overs after its dependencies: its body, FastAPI's check of its answer
    against the response model (on a thread too, for a `def` endpoint), and get_session's
    commit. Here `work` builds the answer from the session's objects, the transaction is
    committed with get_session's own error handling (a busy SQLite database is a 503, the
    session discarded), and get_session, finding nothing left to end, closes the session on
    the event loop. An exception from `work` or the commit leaves the transaction to
    get_session, as any endpoint's does.
    """
    db: Database = request.app.state.db

    def in_thread() -> T:
        result = work()
        _commit(session, db)
        return result

    return await run_in_threadpool(in_thread)


@asynccontextmanager
async def writer_turn(db: Database) -> AsyncIterator[None]:
    """On SQLite, at most half the worker's threads run work that may write; the rest waits without a thread.

    SQLite takes one writer at a time, and a writer holds the write lock from
    its first write until its commit, in between needing a thread from the same
    pool as the routes (FastAPI validates a JSON answer on one). A burst of more
    writers than threads (QA: 50 replies at once on one worker) filled every
    thread with requests waiting for that lock, so the holder could not finish
    until they gave up after WRITE_QUEUE_SECONDS: 10 s, then 503 for 30 of the 50.
    Waiting here, on the event loop, holds no thread; requests take turns in the
    order they came, and one that waits longer than WRITE_QUEUE_SECONDS gets the
    same 503 with its text kept (DatabaseBusy). PostgreSQL locks rows, not the
    database: nothing to queue for. Requests with an unsafe method take a turn
    (get_session), and so does the rate limiter's counting of visitors' reads.
    """
    if not db.is_sqlite:
        yield
        return
    loop = asyncio.get_running_loop()
    turns = _writer_turns.get(loop)
    if turns is None:
        threads = anyio.to_thread.current_default_thread_limiter().total_tokens
        turns = _writer_turns[loop] = asyncio.Semaphore(max(1, int(threads) // 2))
    try:
        await asyncio.wait_for(turns.acquire(), WRITE_QUEUE_SECONDS)
    except TimeoutError:
        raise DatabaseBusy() from None
    try:
        yield
    finally:
        turns.release()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. The only commit in application code.

    async, with the commit in the thread pool: making a session does no I/O (it connects at its
    first statement), so only the end of the request needs a hand-over to a worker thread.
    """
    db: Database = request.app.state.db
    async with writer_turn(db) if request.method not in _SAFE_METHODS else nullcontext():
        if db.replica is not None and getattr(request.state, "anonymous", False) and request.method in _SAFE_METHODS:
            session = await run_in_threadpool(_open_for, request, db)  # connects to the replica to check it answers
        else:
            session = _open_for(request, db)
        try:
            yield session
        except Exception as exc:
            await _end_in_thread(session, db, exc)
            raise
        except BaseException:  # cancelled: no waiting for a worker thread
            session.close()
            raise
        await _end_in_thread(session, db, None)


# scope="function": the commit runs before the response is sent, so a failed commit
# is a 500, never a 303 that lied, and the redirected page sees committed data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

#: `async with request_session(request) as session:` get_session for an async endpoint that opens its session
#: itself, as FastAPI enters a generator dependency (the same turn, commit, error handling and close), without
#: the dependency: for the most frequent write (a reply through the API), whose dependency solving cost ~10 %
#: of its CPU. Opened after the request's dependencies and body are checked, so a 422 takes no writer's turn.
request_session = asynccontextmanager(get_session)
