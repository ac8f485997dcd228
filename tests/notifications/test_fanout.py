"""Large threads: the post's request writes one outbox row, a worker tells every watcher after the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import housekeeping
from app.accounts.models import User
from app.db import Database, utcnow
from app.forum.service import Posted
from app.notifications import fanout
from app.notifications.models import Kind, Notification, OutboxEntry, ThreadWatch, WatchLevel
from app.settings import Settings
from tests.factories import api_login, make_category, make_reply, make_thread, make_user
from tests.forum.test_queries import count_queries
from tests.notifications.helpers import set_preferences


def _watched_thread(session: Session, watchers: int) -> tuple[User, Posted, list[User]]:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    members = [make_user(session) for _ in range(watchers)]
    session.add_all(ThreadWatch(user_id=m.id, thread_id=posted.thread.id, level=WatchLevel.watching) for m in members)
    session.flush()
    return author, posted, members


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def external(settings: Settings, db: Database) -> Settings:
    settings.notifications.inline_fanout_max = 3
    settings.notifications.worker = "external"
    fanout.install(settings, db)
    return settings


def test_many_watchers_wait_in_the_outbox_for_the_worker(session: Session, db: Database, external: Settings) -> None:
    author, posted, members = _watched_thread(session, 6)
    set_preferences(session, members[0], reply=False)
    replier = members[1]
    make_reply(session, posted=posted, author=replier)
    assert _count(session, Notification) == 0 and _count(session, OutboxEntry) == 1
    session.commit()
    assert fanout.drain(db) == 1
    told = set(session.scalars(select(Notification.user_id).where(Notification.kind == Kind.reply)))
    # The thread's author (auto-watch) and every watcher but the replier and the one who switched replies off.
    assert told == {author.id, *(m.id for m in members[2:])}
    assert fanout.pending(db) == 0


def test_a_fan_out_done_twice_tells_no_one_twice(session: Session, db: Database, external: Settings) -> None:
    _author, posted, members = _watched_thread(session, 5)
    reply = make_reply(session, posted=posted, author=members[0])
    session.add(OutboxEntry(post_id=reply.post.id, kind=Kind.reply))  # e.g. a worker that died before deleting
    session.commit()
    fanout.drain(db)
    assert _count(session, Notification) == 5  # the author and four watchers, once each


def test_a_post_deleted_before_the_worker_came_tells_no_one(session: Session, db: Database,
                                                            external: Settings) -> None:
    _author, posted, members = _watched_thread(session, 5)
    reply = make_reply(session, posted=posted, author=members[0])
    reply.post.status = "deleted"
    session.commit()
    assert fanout.drain(db) == 1
    assert _count(session, Notification) == 0


def test_in_process_the_fan_out_runs_after_the_commit(session: Session, db: Database, settings: Settings) -> None:
    settings.notifications.inline_fanout_max = 3
    runner = fanout.install(settings, db)
    assert runner is not None
    _author, posted, members = _watched_thread(session, 5)
    make_reply(session, posted=posted, author=members[0])
    assert _count(session, Notification) == 0  # nothing in the post's own transaction
    session.commit()
    runner.wait()
    assert _count(session, Notification) == 5 and _count(session, OutboxEntry) == 0


def test_a_rolled_back_post_leaves_no_outbox_and_no_fan_out(session: Session, db: Database,
                                                            settings: Settings) -> None:
    settings.notifications.inline_fanout_max = 3
    runner = fanout.install(settings, db)
    _author, posted, members = _watched_thread(session, 5)
    session.commit()
    make_reply(session, posted=posted, author=members[0])
    session.rollback()
    assert runner is not None
    runner.wait()
    assert _count(session, Notification) == 0 and _count(session, OutboxEntry) == 0


def test_the_posting_request_does_not_grow_with_the_watchers(app: FastAPI, client: TestClient, session: Session,
                                                             settings: Settings, db: Database) -> None:
    settings.notifications.inline_fanout_max = 3
    settings.notifications.worker = "external"
    fanout.install(settings, db)
    statements = []
    for size in (5, 40):
        _author, posted, members = _watched_thread(session, size)
        thread_id = posted.thread.id
        session.commit()
        token = api_login(client, members[0].pseudonym)
        with count_queries(app) as seen:
            response = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Je suis là."},
                                   headers={"X-CSRF-Token": token})
        assert response.status_code == 201, response.text
        statements.append(len(seen))
        client.cookies.clear()
    assert statements[0] == statements[1]
    assert _count(session, Notification) == 0 and _count(session, OutboxEntry) == 2
    session.commit()
    fanout.drain(db)
    assert _count(session, Notification) == 5 + 40  # each thread's author and its watchers but the replier


def test_forum_worker_once_fans_out(session: Session, db: Database, external: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app import cli as cli_module
    from app.search import cli as search_cli

    _author, posted, members = _watched_thread(session, 5)
    make_reply(session, posted=posted, author=members[0])
    session.commit()
    monkeypatch.setattr(cli_module, "get_settings", lambda: external)
    monkeypatch.setattr(search_cli, "get_settings", lambda: external)
    result = CliRunner().invoke(cli_module.cli, ["worker", "--once"])
    assert result.exit_code == 0 and "1 notification fan-outs done" in result.output, result.output
    assert _count(session, Notification) == 5


def test_housekeeping_finishes_stale_fan_outs_and_forgets_old_read_notifications(
        session: Session, db: Database, external: Settings) -> None:
    author, posted, members = _watched_thread(session, 5)
    reply = make_reply(session, posted=posted, author=members[0])
    session.commit()
    done = housekeeping.run_once(db, external)
    assert done["stale notification fan-outs"] == 0  # fresh: a worker is about to take it
    session.execute(OutboxEntry.__table__.update().values(created_at=utcnow() - dt.timedelta(minutes=10)))
    session.commit()
    assert housekeeping.run_once(db, external)["stale notification fan-outs"] == 1
    assert _count(session, Notification) == 5
    old = utcnow() - dt.timedelta(days=external.notifications.keep_read_days + 1)
    session.execute(Notification.__table__.update().where(Notification.user_id == author.id).values(read_at=old))
    session.commit()
    assert housekeeping.run_once(db, external)["read notifications"] == 1
    assert session.scalar(select(Notification.id).where(Notification.post_id == reply.post.id,
                                                        Notification.user_id == author.id)) is None

