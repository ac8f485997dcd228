"""The SQLite set-up: pragmas, and writers that wait for each other instead of failing."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

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


def _lock_file_taken(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def test_a_writer_holds_the_lock_file_until_its_commit_is_done(sqlite_db: Database, tmp_path: Path) -> None:
    """Writers of other processes (each opens the file: flock belongs to the open file) wait on it,
    woken within a millisecond of the COMMIT, instead of sleeping in SQLite's busy handler."""
    lock_file = tmp_path / "forum.sqlite3-writer.lock"
    with sqlite_db.session() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        assert _lock_file_taken(lock_file)
        seen: list[bool] = []
        after_commit(session, lambda: seen.append(_lock_file_taken(lock_file)))
        session.commit()
    assert seen == [False]  # free once COMMIT has run, before the after-commit work
    with sqlite_db.session(write=False) as reader:
        reader.execute(text("SELECT 1"))
        assert not _lock_file_taken(lock_file)  # readers never take it
    other = Database(Settings(database_url=str(sqlite_db.engine.url), data_dir=tmp_path))
    order: list[str] = []
    with sqlite_db.session() as session:
        session.execute(text("INSERT INTO counter VALUES (1)"))

        def second_writer() -> None:
            with other.session() as second:
                second.execute(text("INSERT INTO counter VALUES (2)"))
                order.append("second wrote")
                second.commit()

        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.3)
        order.append("first commits")
        session.commit()
    thread.join(10)
    other.dispose()
    assert order == ["first commits", "second wrote"]


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


def _sqlite_only(settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite's write lock")


def test_a_writing_request_reads_without_the_write_lock(db: Database, settings: Settings) -> None:
    """Issue 9, item 10: a request took the write lock at its first read and held it while it worked."""
    import sqlite3

    _sqlite_only(settings)
    with db.request_session(write=True) as session:
        session.execute(text("SELECT count(*) FROM accounts_users")).scalar()
        other = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), timeout=0.1)
        other.execute("BEGIN IMMEDIATE")  # another writer gets the lock at once: this request holds none
        other.execute("INSERT INTO forum_categories (slug, position, visibility, clover, "
                      "name_fr, name_nl, name_en, description_fr, description_nl, description_en) "
                      "VALUES ('autre', 0, 'public', '', 'a', 'b', 'c', '', '', '')")
        other.commit()
        other.close()
        # Its own first write starts a fresh write transaction, which sees the other's row.
        session.execute(text("UPDATE forum_categories SET position = 1 WHERE slug = 'autre'"))
        session.commit()
    with db.session(write=False) as session:
        assert session.execute(text("SELECT position FROM forum_categories WHERE slug='autre'")).scalar() == 1


def test_a_write_that_cannot_get_the_lock_is_503_with_the_text_kept(settings: Settings, session: Session,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """Never a 500: 503 with Retry-After, and the form's text offered again; the log names the route, not the path."""
    import sqlite3

    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.factories import html_login, make_category, make_thread, make_user

    _sqlite_only(settings)
    quick = settings.model_copy(update={"sqlite_busy_timeout_ms": 50})
    thread = make_thread(session, category=make_category(session), author=make_user(session, "Auteur"))
    make_user(session, "Presse")
    thread_id = thread.thread.id
    session.commit()  # and no more reads: this session's next transaction would take the write lock
    with TestClient(create_app(quick)) as client:
        html_login(client, "Presse")
        page = client.get(f"/fr/t/{thread_id}")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        holder = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        holder.execute("BEGIN IMMEDIATE")
        try:
            text_kept = "Un message que je tiens à ne pas perdre, même si le serveur est débordé."
            response = client.post(f"/fr/t/{thread_id}/reply", data={"body": text_kept, "csrf_token": token},
                                   headers={"Sec-Fetch-Site": "same-origin"})
            assert response.status_code == 503 and response.headers["retry-after"] == "5"
            assert text_kept in response.text and 'name="csrf_token"' in response.text
            api = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": text_kept},
                              headers={"X-CSRF-Token": token})
            assert api.status_code == 503 and api.headers["retry-after"] == "5" and api.json()["detail"]
            busy = [r.getMessage() for r in caplog.records if "database busy" in r.getMessage()]
            assert busy and all(f"/{thread_id}/" not in line for line in busy), busy
            assert any("forum.reply" in line for line in busy), busy
        finally:
            holder.rollback()
            holder.close()
        again = client.post(f"/fr/t/{thread_id}/reply", data={"body": text_kept, "csrf_token": token},
                            headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
        assert again.status_code == 303


def test_run_and_commit_commits_in_its_hand_over(db: Database) -> None:
    """run_and_commit: the work's changes are committed before it returns (the after-commit work ran);
    get_session's end then has nothing left to commit and closes the session."""
    import anyio

    from app.db import _end_in_thread, run_and_commit

    ran: list[str] = []
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(db=db)))
    session = db.session()

    def work() -> int:
        session.execute(text("CREATE TABLE IF NOT EXISTS t_run_and_commit (n INTEGER)"))
        session.execute(text("INSERT INTO t_run_and_commit VALUES (1)"))
        after_commit(session, lambda: ran.append("committed"))
        return 7

    async def request_cycle() -> int:
        result = await run_and_commit(request, session, work)  # type: ignore[arg-type]
        assert ran == ["committed"] and not session.in_transaction()
        await _end_in_thread(session, db, None)  # closes without a hand-over
        return result

    # A loop of its own on a thread of its own: a browser test run earlier on this pytest worker may
    # have left an event loop running on the main thread, where anyio.run() refuses to start.
    results: list[int] = []
    runner = threading.Thread(target=lambda: results.append(anyio.run(request_cycle)))
    runner.start()
    runner.join()
    assert results == [7]
    with db.session() as check:
        assert check.execute(text("SELECT count(*) FROM t_run_and_commit")).scalar() == 1
        check.execute(text("DROP TABLE t_run_and_commit"))
        check.commit()
