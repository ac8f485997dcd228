"""Versions of what visitors' pages show, bumped in the transaction of every change, read by every worker.

The visitors' page cache (app/web/page_cache.py) keeps rendered pages in each
worker's memory; a page is served from there only while the versions it was
rendered under are still the current ones. The versions live in the database
(one small table), so a change committed through any worker invalidates the
pages cached by every worker at once, at the price of one indexed read per
cached page.

Keys: ``ALL`` changes with anything (lists of threads and categories depend on
it), ``STRUCTURE`` with what every page shows (category names and visibility,
pseudonyms, taper lines), ``thread:N`` with one thread's posts and reactions.

Domains declare which of their models feed which keys (`watch`); a flush
listener then bumps them for every ORM change, so a moderation path written
later cannot forget the cache. Bulk ``update()``/``delete()`` statements on a
watched model bump ``ALL`` and ``STRUCTURE`` (coarse, but never stale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, event, inspect, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.db import INSERTED_HOOKS, Base, Database

ALL = "all"
STRUCTURE = "structure"


def thread_key(thread_id: int) -> str:
    return f"thread:{thread_id}"


class PageVersion(Base):
    __tablename__ = "page_versions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# Per watched model: the keys a change of one object bumps (None: this change shows nowhere).
KeysFor = Callable[[Session, Any, str], Iterable[str] | None]
_watchers: dict[type, KeysFor] = {}
_FOUND = "page_versions_found"  # keys changed by the flushes of this transaction, not yet written
_BUMPED = "page_versions_bumped"  # keys already bumped (or queued for the commit) in this transaction
_PENDING = "page_versions_pending"  # PostgreSQL: keys to bump just before the transaction commits
_COMMITTING = "page_versions_committing"  # the pending keys are written: later bumps are written at once



def watch(model: type, keys_for: KeysFor) -> None:
    """Bump `keys_for(session, obj, change)` (change: "new", "dirty" or "deleted") when an object changes."""
    _watchers[model] = keys_for


def changed(obj: Any, *attributes: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def bump(session: Session, keys: Iterable[str]) -> None:
    """Bump these versions in the caller's transaction (each at most once per transaction).

    SQLite: at once (the transaction holds the database's only write lock
    anyway). PostgreSQL: on the session's own connection just before the
    commit (`_write_pending`), so that the hot ALL row is locked only for the
    commit itself, not for a whole posting transaction (which would queue every
    writer behind it). Either way the versions change atomically with the data:
    a page read before the commit is stored under the old versions, one read
    after it sees the new ones, and no request ever needs a second connection.
    """
    done: set[str] = session.info.setdefault(_BUMPED, set())
    todo = sorted((set(keys) | {ALL}) - done)  # the lists show every change
    if not todo:
        return
    done.update(todo)
    connection = session.connection()
    if connection.dialect.name == "sqlite" or session.info.get(_COMMITTING):
        _upsert(connection, todo)
        return
    session.info.setdefault(_PENDING, set()).update(todo)


def _upsert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of one key, built once per dialect (no cache-key walk per call)."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = insert(PageVersion).values(key=bindparam("key"), version=1).on_conflict_do_update(
            index_elements=[PageVersion.key], set_={"version": PageVersion.version + 1})
        _UPSERTS[dialect] = statement
    return statement


_UPSERTS: dict[str, Any] = {}


# PostgreSQL: every key in one execution (an executemany is one per key, in psycopg's pipeline), in sorted order.
_UPSERT_MANY = text(
    "INSERT INTO page_versions (key, version) SELECT k, 1 FROM unnest(CAST(:keys AS varchar[])) AS k ORDER BY k "
    "ON CONFLICT (key) DO UPDATE SET version = page_versions.version + 1")


def _sqlite_upsert_many(count: int) -> Any:
    """SQLite: `count` keys in one execution (a reply bumps two: its thread's and ALL), where an executemany ran
    one per key. A text statement, built once per count: SQLAlchemy compiles a multi-row `insert().values([...])`
    anew at every execution (it has no cache key)."""
    statement = _SQLITE_UPSERT_MANY.get(count)
    if statement is None:
        rows = ", ".join(f"(:key{index}, 1)" for index in range(count))
        statement = _SQLITE_UPSERT_MANY[count] = text(
            f'INSERT INTO page_versions ("key", version) VALUES {rows} '  # noqa: S608  # nosec B608 - placeholders only
            'ON CONFLICT ("key") DO UPDATE SET version = page_versions.version + 1')
    return statement


_SQLITE_UPSERT_MANY: dict[int, Any] = {}


def _upsert(connection: Connection, keys: Iterable[str]) -> None:
    """One statement for every key, in sorted order: concurrent bumps lock rows in one order and never deadlock."""
    ordered = sorted(keys)
    if len(ordered) > 1 and connection.dialect.name == "postgresql":
        connection.execute(_UPSERT_MANY, {"keys": ordered})
        return
    if 1 < len(ordered) <= 4:  # SQLite; more keys (rare: moderators' changes) as an executemany below
        connection.execute(_sqlite_upsert_many(len(ordered)), {f"key{index}": key for index, key in enumerate(ordered)})
        return
    rows = [{"key": key} for key in ordered]
    statement = _upsert_statement(connection.dialect.name)
    connection.execute(statement, rows if len(rows) > 1 else rows[0])


def read(connection: Connection, keys: Iterable[str]) -> tuple[int, ...]:
    """The current versions of these keys, in order (0 for a key never bumped)."""
    keys = list(keys)
    query = select(PageVersion.key, PageVersion.version).where(PageVersion.key.in_(keys))
    found = dict(connection.execute(query).all())
    return tuple(found.get(key, 0) for key in keys)


def read_now(db: Database, keys: Sequence[str]) -> tuple[int, ...] | None:
    """`read` without SQLAlchemy or a thread, on SQLite (`Database.read_now`); None elsewhere."""
    sql = _READ_SQL.get(len(keys))
    if sql is None:  # only "?" placeholders are joined in: the keys are bound as parameters
        placeholders = ", ".join("?" * len(keys))
        sql = f'SELECT "key", version FROM page_versions WHERE "key" IN ({placeholders})'  # noqa: S608  # nosec B608
        _READ_SQL[len(keys)] = sql
    rows = db.read_now(sql, keys)
    if rows is None:
        return None
    found = dict(rows)
    return tuple(found.get(key, 0) for key in keys)


_READ_SQL: dict[int, str] = {}


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if not _watchers:
        return
    found: set[str] = session.info.setdefault(_FOUND, set())
    for change, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            keys_for = _watchers.get(type(obj))
            if keys_for is not None:
                keys = keys_for(session, obj, change)
                if keys:
                    found.update(keys)


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, _context: Any) -> None:
    found = session.info.pop(_FOUND, None)
    if found:
        bump(session, found)


def _inserted(session: Session, obj: Any, _companions: bool) -> None:
    """A new object written by a Core INSERT (app.db.attach_inserted): bumped as a flush of it would be."""
    keys_for = _watchers.get(type(obj))
    keys = keys_for(session, obj, "new") if keys_for is not None else None
    if keys:
        bump(session, keys)


INSERTED_HOOKS.append(_inserted)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in _watchers:
        bump(state.session, (ALL, STRUCTURE))


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    """PostgreSQL: write the transaction's pending bumps on its own connection, right before COMMIT."""
    if session.in_nested_transaction() or _PENDING not in session.info and not session.dirty \
            and not session.new and not session.deleted:  # a SAVEPOINT released, or nothing to bump
        return
    session.flush()  # the flush listeners add the keys of what is still unflushed
    pending = session.info.pop(_PENDING, None)
    session.info[_COMMITTING] = True  # a before_commit listener that writes later still bumps
    if pending:
        _upsert(session.connection(), pending)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        _forget(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session, *_args: Any) -> None:
    # After a SAVEPOINT's rollback too: a bump made inside it is gone, so bump again next time
    # (keys queued for the commit stay queued: bumping one more is harmless).
    session.info.pop(_BUMPED, None)
    session.info.pop(_FOUND, None)
    if not session.in_transaction():  # the whole transaction rolled back: nothing to publish
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction committed or rolled back
        session.info.pop(_PENDING, None)
        session.info.pop(_COMMITTING, None)
