"""The SQLite set-up: pragmas, and writers that wait for each other instead of failing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import migrate_database
from app.db import Database, after_commit
from app.settings import Settings


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'forum.sqlite3'}"
    migrate_database(url)
    return Database(Settings(database_url=url, data_dir=tmp_path))


def test_pragmas(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(sqlite_db: Database) -> None:
    """A deferred BEGIN that reads then writes fails at once under concurrency; IMMEDIATE waits."""
    with sqlite_db.session() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
        session.commit()
    errors: list[Exception] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for _ in range(25):
            try:
                with sqlite_db.session() as session:
                    current = session.execute(text("SELECT n FROM counter")).scalar_one()
                    session.execute(text("UPDATE counter SET n = :n"), {"n": current + 1})
                    session.commit()
            except Exception as exc:  # noqa: BLE001 - the assertion below reports it
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with sqlite_db.session(write=False) as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 100  # no lost update


def test_reads_do_not_take_the_write_lock(sqlite_db: Database) -> None:
    with sqlite_db.session() as writer, sqlite_db.session(write=False) as reader:
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds the write lock
        assert reader.execute(text("SELECT count(*) FROM forum_categories")).scalar() == 0


def test_after_commit_waits_for_the_outer_transaction(db: Database) -> None:
    """A released SAVEPOINT is no commit: side effects wait for the real one, and a rollback drops them."""
    ran: list[str] = []
    with db.session() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("outer"))
        with session.begin_nested():
            session.execute(text("SELECT 1"))
        assert ran == []  # SQLAlchemy fires after_commit for the savepoint too
        session.commit()
    assert ran == ["outer"]
    with db.session() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("rolled back"))
        session.rollback()
        session.commit()
    assert ran == ["outer"]
