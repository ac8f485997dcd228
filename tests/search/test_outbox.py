"""The outbox: written with every change, drained after commit, and patient while an engine is down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.search import service as search_service
from app.search.backend import Document, SearchPage, SearchQuery, SearchUnavailable
from app.search.meili import Meili
from app.search.models import OutboxEntry
from app.search.service import InProcessIndexer, database_backend
from app.settings import SearchSettings
from tests.factories import api_login, make_category, make_thread, make_user


class StandInEngine:
    """An external engine for the worker's sake (not a Meilisearch fake: it only records what it is sent)."""

    name = "stand-in"

    def __init__(self) -> None:
        self.down = True
        self.documents: dict[int, Document] = {}

    def _check(self) -> None:
        if self.down:
            raise SearchUnavailable("stand-in engine is down")

    def upsert(self, session: Session, documents: list[Document]) -> None:
        self._check()
        self.documents.update((d.post_id, d) for d in documents)

    def delete(self, session: Session, post_ids: list[int]) -> None:
        self._check()
        for post_id in post_ids:
            self.documents.pop(post_id, None)

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        self._check()
        return SearchPage(items=[], page=1, pages=1, total=0)

    def indexed_ids(self, session: Session) -> set[int]:
        return set(self.documents)

    def clear(self, session: Session) -> None:
        self.documents.clear()


def _entries(session: Session) -> list[tuple[str, int]]:
    session.commit()  # a fresh snapshot
    return [(e.entity, e.entity_id) for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))]


def test_every_orm_change_writes_the_outbox_once(session: Session) -> None:
    author = make_user(session)
    category = make_category(session)
    posted = make_thread(session, category=category, author=author, body="vertiges")
    session.commit()
    assert _entries(session).count(("post", posted.post.id)) == 1  # explicit enqueue and listener agree
    session.execute(OutboxEntry.__table__.delete())
    post = session.get(Post, posted.post.id)
    assert post is not None
    post.status = PostStatus.hidden  # a moderation path with no explicit enqueue
    thread = session.get(Thread, posted.thread.id)
    assert thread is not None
    thread.title = "Renommé"
    other = make_category(session)
    thread.category_id = other.id
    cat = session.get(Category, category.id)
    assert cat is not None
    cat.visibility = Visibility.members
    session.commit()
    assert set(_entries(session)) >= {("post", post.id), ("thread", thread.id), ("category", category.id)}


def test_rolled_back_changes_leave_no_entry(session: Session) -> None:
    author = make_user(session)
    category = make_category(session)
    session.commit()
    make_thread(session, category=category, author=author, body="vertiges")
    session.rollback()
    assert _entries(session) == []


def test_posting_works_and_search_falls_back_when_meili_is_down(app: FastAPI, client: TestClient,
                                                               session: Session) -> None:
    # Port 9 (discard) on loopback: nothing listens, so the client fails at once.
    down = Meili(SearchSettings(backend="meilisearch", meili_url="http://127.0.0.1:9"), timeout=1)
    indexer = InProcessIndexer(app.state.db, down)
    app.state.search, app.state.db.on_outbox = down, indexer
    make_user(session, "Patiente")
    make_category(session, "tapering-now")
    session.commit()
    token = api_login(client, "Patiente")
    for title in ("Vertiges", "Encore des vertiges"):
        response = client.post("/api/v1/categories/tapering-now/threads",
                               json={"title": title, "body": "vertiges le matin", "lang": "fr"},
                               headers={"X-CSRF-Token": token})
        assert response.status_code == 201
    assert indexer.wait_idle()  # the engine is tried off the request path
    indexer.stop()
    assert indexer.engine_down
    # Kept for the engine, but already in the database's own index.
    entries = list(session.scalars(select(OutboxEntry)))
    assert len(entries) == 2 and all(e.local_done for e in entries)
    result = client.get("/api/v1/search", params={"q": "vertiges"}).json()
    assert result["fallback"] is True and len(result["items"]) == 2
    page = client.get("/fr/search", params={"q": "vertiges"})
    assert page.status_code == 200 and 'class="notice"' in page.text and "<mark>" in page.text


class HandTimer:
    """A retry timer the test fires itself: no waiting, no sleeping."""

    made: list[HandTimer] = []

    def __init__(self, delay: float, action: Callable[[], None]) -> None:
        self.delay, self.action = delay, action
        self.daemon = False
        self.started = self.cancelled = False
        HandTimer.made.append(self)

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True


def test_outbox_catches_up_when_the_engine_returns(app: FastAPI, session: Session) -> None:
    engine = StandInEngine()
    HandTimer.made = []
    indexer = InProcessIndexer(app.state.db, engine, min_backoff=2, max_backoff=5, timer=HandTimer)
    app.state.db.on_outbox = indexer
    author = make_user(session)
    category = make_category(session)
    post_id = make_thread(session, category=category, author=author, body="acouphènes").post.id
    session.commit()  # the indexer runs, finds the engine down, schedules a retry
    assert indexer.wait_idle()
    assert indexer.engine_down and engine.documents == {}
    assert [(t.delay, t.started) for t in HandTimer.made] == [(2, True)]
    HandTimer.made[0].action()  # the engine is still down: the next retry waits twice as long
    assert [t.delay for t in HandTimer.made] == [2, 4]
    HandTimer.made[1].action()
    assert [t.delay for t in HandTimer.made] == [2, 4, 5]  # capped at max_backoff
    engine.down = False
    HandTimer.made[2].action()  # no new commit: the retry alone catches up
    assert post_id in engine.documents and not indexer.engine_down
    assert session.scalar(select(func.count(OutboxEntry.id))) == 0
    assert len(HandTimer.made) == 3  # nothing more to retry


def test_forum_worker_once_applies_what_waits(app: FastAPI, session: Session, monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app import cli as cli_module
    from app.search import cli as search_cli

    app.state.db.on_outbox = None  # production: no in-process indexer, a separate worker
    author = make_user(session)
    post_id = make_thread(session, category=make_category(session), author=author, body="sueurs").post.id
    session.commit()
    assert post_id not in app.state.search.indexed_ids(session)
    session.commit()
    monkeypatch.setattr(search_cli, "get_settings", lambda: settings)
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_module.cli, ["worker", "--once"])
    assert result.exit_code == 0 and "1 outbox entries applied" in result.output, result.output
    assert post_id in app.state.search.indexed_ids(session)


def test_sqlite_index_changes_in_the_posts_own_transaction(app: FastAPI, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = app.state.db
    if not db.is_sqlite:
        pytest.skip("SQLite's own index only: on PostgreSQL the drain after the commit applies it")
    indexer = InProcessIndexer(db, database_backend(db))
    db.on_outbox = indexer
    drains: list[int] = []
    monkeypatch.setattr(indexer, "_drain_here", lambda: drains.append(1))
    with db.session() as writer:  # a writer of the app's database, as a request's session is
        author = make_user(writer)
        posted = make_thread(writer, category=make_category(writer), author=author, body="vertiges nocturnes")
        writer.commit()
    assert drains == []  # nothing left for a second transaction
    assert _entries(session) == []
    assert posted.post.id in database_backend(db).indexed_ids(session)


def test_an_index_failure_inside_the_transaction_loses_no_post(app: FastAPI, session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = app.state.db
    if not db.is_sqlite:
        pytest.skip("SQLite's own index only")
    indexer = InProcessIndexer(db, database_backend(db))
    db.on_outbox = indexer
    drains: list[int] = []
    monkeypatch.setattr(indexer, "_drain_here", lambda: drains.append(1))

    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("index write failed")

    monkeypatch.setattr(search_service, "apply_pending", broken)
    with db.session() as writer:
        author = make_user(writer)
        posted = make_thread(writer, category=make_category(writer), author=author, body="vertiges nocturnes")
        writer.commit()
    assert session.get(Post, posted.post.id) is not None  # the post committed
    assert drains == [1]  # and the drain after the commit was asked to try again
    assert ("post", posted.post.id) in _entries(session)


def test_sqlite_own_index_takes_the_transactions_own_entries_without_a_row(app: FastAPI, session: Session) -> None:
    """Applied before the commit from the session's list: a reply writes (and deletes) no outbox row."""
    db = app.state.db
    if not db.is_sqlite:
        pytest.skip("SQLite's own index only")
    db.on_outbox = InProcessIndexer(db, database_backend(db))
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as writer:
            posted = make_thread(writer, category=make_category(writer), author=make_user(writer),
                                 body="acouphènes matinaux")
            try:  # a SAVEPOINT rolled back after the post was recorded: the post's entry is still applied
                with writer.begin_nested():
                    writer.execute(select(1))
                    raise RuntimeError("undone")
            except RuntimeError:
                pass
            writer.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in statements if "search_outbox" in s and not s.lstrip().startswith("SELECT")]
    assert _entries(session) == []
    assert posted.post.id in database_backend(db).indexed_ids(session)


def test_what_the_index_wrote_before_failing_is_undone_and_the_post_kept(app: FastAPI, session: Session,
                                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = app.state.db
    if not db.is_sqlite:
        pytest.skip("SQLite's own index only")
    indexer = db.on_outbox = InProcessIndexer(db, database_backend(db))
    monkeypatch.setattr(indexer, "_drain_here", lambda: None)  # the row is left for the test to see

    def half_done(_db: object, writing: Session, *_args: object, **_kwargs: object) -> int:
        writing.connection().execute(OutboxEntry.__table__.insert().values(entity="post", entity_id=999_999))
        raise RuntimeError("index write failed halfway")

    monkeypatch.setattr(search_service, "apply_pending", half_done)
    with db.session() as writer:
        posted = make_thread(writer, category=make_category(writer), author=make_user(writer), body="vertiges")
        writer.commit()
    entries = _entries(session)
    assert ("post", 999_999) not in entries  # rolled back to the savepoint
    assert ("post", posted.post.id) in entries and session.get(Post, posted.post.id) is not None


def test_a_new_posts_document_from_its_transaction_equals_the_one_read_from_the_tables(session: Session) -> None:
    """A reply's document is built from the objects its transaction holds (no query): the same document
    as the tables give, on either database; held posts and posts of held threads have none."""
    from app.search.documents import load_documents
    from app.search.outbox import IN_HAND

    members = make_category(session, "entre-nous", visibility=Visibility.members)
    author = make_user(session, approved_posts=10)
    posted = make_thread(session, category=members, author=author, title="Réveils à 4 h, encore",
                         body="Je **diminue** le _lorazépam_ de 0,25 mg.\n\n> cité\n\nMerci [ici](https://example.org).")
    newcomer = make_user(session, approved_posts=0)
    held = make_thread(session, category=members, author=newcomer, title="Mon premier message", body="Bonjour")
    ids = [posted.post.id, held.post.id]
    assert set(session.info.get(IN_HAND, {})) >= set(ids)
    session.flush()
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = session.connection().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        in_hand = load_documents(session, ids)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []  # read from nowhere but the session
    inserted = session.info.pop(IN_HAND)
    try:
        from_tables = load_documents(session, ids)
    finally:
        session.info[IN_HAND] = inserted
    assert held.post.status == PostStatus.held
    assert in_hand == from_tables and list(in_hand) == [posted.post.id]
    session.commit()
    assert IN_HAND not in session.info  # gone with its transaction
