"""The visitors' page cache: fast for visitors, never stale, never shown to members, shared invalidation."""

from __future__ import annotations

import datetime as dt
import sqlite3
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import page_versions
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.main import create_app
from app.page_versions import STRUCTURE, thread_key
from app.settings import Settings
from app.web import page_cache
from app.web.page_cache import PageCache
from tests.factories import csrf_from, html_login, make_category, make_reply, make_thread, make_user


def _cache(client: TestClient) -> PageCache:
    cache: PageCache = client.app.state.page_cache  # type: ignore[attr-defined]
    return cache


def _thread(session: Session, *, visibility: Visibility = Visibility.public) -> tuple[int, Post]:
    author = make_user(session, "Autrice")
    category = make_category(session, "tapering-now", visibility=visibility)
    posted = make_thread(session, category=category, author=author, title="Nuits difficiles",
                         body="Un texte que les visiteurs lisent.")
    session.commit()
    return posted.post.thread_id, posted.post


def test_visitor_pages_come_from_the_cache_with_validators(client: TestClient, session: Session) -> None:
    thread_id, _post = _thread(session)
    for path in (f"/fr/t/{thread_id}", "/fr/c/tapering-now", "/fr/"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
        hits = _cache(client).hits
        again = client.get(path)
        assert _cache(client).hits == hits + 1
        assert again.text == first.text and again.headers["etag"] == first.headers["etag"]
        # Served from the cache, the page keeps every security header and the private caching rules.
        assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
        assert again.headers["cache-control"] == "no-cache, private" and "Cookie" in again.headers["vary"]
        assert again.headers["content-type"].startswith("text/html")
        revalidated = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert revalidated.status_code == 304 and revalidated.content == b""
        assert revalidated.headers["etag"] == first.headers["etag"]
        # Last-Modified is to the second: a copy from a later second is revalidated by the date alone...
        later = format_datetime(parsedate_to_datetime(first.headers["last-modified"]) + dt.timedelta(seconds=1),
                                usegmt=True)
        since = client.get(path, headers={"If-Modified-Since": later})
        assert since.status_code == 304 and since.content == b""
        # ... one from the entry's own second only by its ETag (it may predate a change of that second).
        same = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert same.status_code == 200 and same.text == first.text
        both = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"],
                                         "If-None-Match": first.headers["etag"]})
        assert both.status_code == 304  # If-None-Match decides when both are sent
        stale = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"],
                                          "If-None-Match": '"another"'})
        assert stale.status_code == 200
        earlier = format_datetime(parsedate_to_datetime(first.headers["last-modified"]) - dt.timedelta(seconds=5),
                                  usegmt=True)
        assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_change_in_the_same_second_is_never_answered_304(client: TestClient, session: Session,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """QA: render, reply, render again within one second; If-Modified-Since of the first copy got a 304."""
    author = make_user(session, "Autrice")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author,
                         title="Nuits difficiles", body="Un texte que les visiteurs lisent.")
    session.commit()
    monkeypatch.setattr(page_cache, "_now", lambda: 1_800_000_000.25)  # every read in one second
    path = f"/fr/t/{posted.post.thread_id}"
    old = client.get(path)
    make_reply(session, posted=posted, author=author, body="Une réponse écrite dans la même seconde.")
    session.commit()
    for _ in range(2):  # re-rendered, then from the cache
        page = client.get(path, headers={"If-Modified-Since": old.headers["last-modified"]})
        assert page.status_code == 200 and "Une réponse écrite dans la même seconde." in page.text
        assert page.headers["last-modified"] == old.headers["last-modified"]
        assert page.headers["etag"] != old.headers["etag"]
    assert client.get(path, headers={"If-None-Match": page.headers["etag"]}).status_code == 304


def test_a_hidden_post_disappears_from_a_cached_page_at_once(client: TestClient, session: Session) -> None:
    thread_id, post = _thread(session)
    etag = client.get(f"/fr/t/{thread_id}").headers["etag"]
    assert "Un texte que les visiteurs lisent." in client.get(f"/fr/t/{thread_id}").text  # from the cache
    post = session.get(Post, post.id)  # type: ignore[assignment]
    post.status = PostStatus.hidden  # a moderator hides it
    session.commit()
    page = client.get(f"/fr/t/{thread_id}", headers={"If-None-Match": etag})
    assert page.status_code == 200 and page.headers["etag"] != etag
    assert "Un texte que les visiteurs lisent." not in page.text
    assert "This post was hidden by the moderators." in page.text or "masqué" in page.text


def test_new_posts_edits_and_moves_reach_cached_lists(client: TestClient, session: Session) -> None:
    thread_id, post = _thread(session)
    assert "Nuits difficiles" in client.get("/fr/c/tapering-now").text
    other = make_category(session, "after")
    session.commit()
    thread = session.get(Thread, thread_id)
    assert thread is not None
    thread.category_id = other.id  # moved by a moderator
    session.commit()
    assert "Nuits difficiles" not in client.get("/fr/c/tapering-now").text
    assert "Nuits difficiles" in client.get("/fr/c/after").text
    post = session.get(Post, post.id)  # type: ignore[assignment]
    post.body_html = "<p>Texte corrigé.</p>"  # an edit
    session.commit()
    assert "Texte corrigé." in client.get(f"/fr/t/{thread_id}").text


def test_members_only_pages_are_never_cached(client: TestClient, session: Session) -> None:
    thread_id, _post = _thread(session, visibility=Visibility.members)
    for _ in range(2):
        assert client.get(f"/fr/t/{thread_id}", follow_redirects=False).status_code != 200
        assert client.get("/fr/c/tapering-now", follow_redirects=False).status_code != 200
    make_user(session, "Membre")
    session.commit()
    html_login(client, "Membre")
    assert "Un texte que les visiteurs lisent." in client.get(f"/fr/t/{thread_id}").text
    visitor = TestClient(client.app)
    assert visitor.get(f"/fr/t/{thread_id}", follow_redirects=False).status_code != 200
    assert len(_cache(client)) == 0 or all(key[0] != f"/fr/t/{thread_id}" for key in _cache(client)._entries)
    # A public category turned members-only: its cached pages are no longer served to visitors.
    session.execute(select(Category)).scalars().one().visibility = Visibility.public
    session.commit()
    assert visitor.get(f"/fr/t/{thread_id}").status_code == 200
    session.execute(select(Category)).scalars().one().visibility = Visibility.members
    session.commit()
    assert visitor.get(f"/fr/t/{thread_id}", follow_redirects=False).status_code != 200


def test_a_member_never_gets_the_visitors_page(client: TestClient, session: Session) -> None:
    thread_id, _post = _thread(session)
    visitor_page = client.get(f"/fr/t/{thread_id}")
    client.get(f"/fr/t/{thread_id}")
    make_user(session, "Membre")
    session.commit()
    html_login(client, "Membre")
    hits = _cache(client).hits
    page = client.get(f"/fr/t/{thread_id}", headers={"If-None-Match": visitor_page.headers["etag"]})
    assert page.status_code == 200 and "etag" not in page.headers
    assert "Membre" in page.text and 'action="/fr/t/' in page.text  # their name and the reply form
    assert _cache(client).hits == hits
    # And what a member sees is never stored for visitors.
    visitor = TestClient(client.app)
    assert "Membre" not in visitor.get(f"/fr/t/{thread_id}").text


def test_pages_with_other_parameters_or_a_session_cookie_bypass_the_cache(client: TestClient,
                                                                          session: Session) -> None:
    thread_id, _post = _thread(session)
    client.get(f"/fr/t/{thread_id}?notice=held")
    client.get(f"/fr/t/{thread_id}?page=1&page=2", follow_redirects=False)
    assert len(_cache(client)) == 0, list(_cache(client)._entries)
    client.cookies.set("tk_session", "not-a-real-session")
    client.get(f"/fr/t/{thread_id}")
    assert len(_cache(client)) == 0


def test_a_change_through_one_worker_invalidates_every_worker(client: TestClient, session: Session,
                                                               settings: Settings) -> None:
    thread_id, post = _thread(session)
    other_worker = create_app(settings)  # its own memory, the same database
    other_worker.state.db.dispose()
    other_worker.state.db = client.app.state.db  # type: ignore[attr-defined]
    visitor = TestClient(other_worker)
    assert "Courage à toi" not in visitor.get(f"/fr/t/{thread_id}").text
    assert "Courage à toi" not in visitor.get(f"/fr/t/{thread_id}").text
    assert other_worker.state.page_cache.hits == 1
    make_user(session, "Membre")
    session.commit()
    html_login(client, "Membre")
    token = csrf_from(client.get(f"/fr/t/{thread_id}").text)
    reply = client.post(f"/fr/t/{thread_id}/reply", data={"csrf_token": token, "body": "Courage à toi, vraiment."},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert "Courage à toi" in visitor.get(f"/fr/t/{thread_id}").text
    before = visitor.get(f"/fr/t/{thread_id}").text
    react = client.post(f"/fr/p/{post.id}/react", data={"csrf_token": token, "kind": "thanks"},
                        follow_redirects=False)
    assert react.status_code == 303, react.text
    assert visitor.get(f"/fr/t/{thread_id}").text != before  # the reaction count shows


def test_a_reply_written_outside_any_request_shows(client: TestClient, session: Session) -> None:
    author = make_user(session, "Autrice")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=author)
    session.commit()
    client.get(f"/fr/t/{posted.post.thread_id}")
    make_reply(session, posted=posted, author=make_user(session, "Autre"), body="Une deuxième réponse.")
    session.commit()  # e.g. the CLI or a background job
    assert "Une deuxième réponse." in client.get(f"/fr/t/{posted.post.thread_id}").text


def test_versions_read_on_the_event_loop_are_the_usual_ones(client: TestClient, session: Session) -> None:
    thread_id, post = _thread(session)
    db = client.app.state.db  # type: ignore[attr-defined]
    keys = [STRUCTURE, thread_key(thread_id), "thread:999999"]
    with db.reader.connect() as connection:
        usual = page_versions.read(connection, keys)
    assert usual[1] > 0 and usual[2] == 0
    quick = page_versions.read_now(db, keys)
    if db.is_sqlite:
        assert quick == usual
        post.body_md = "Modifié."
        session.commit()  # the quick read sees the last commit: it holds no snapshot of its own
        with db.reader.connect() as connection:
            assert page_versions.read_now(db, keys) == page_versions.read(connection, keys) != usual
    else:
        assert quick is None  # PostgreSQL reads through a thread


def test_a_busy_quick_read_falls_back_to_the_usual_one(client: TestClient, session: Session,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    thread_id, _post = _thread(session)
    db = client.app.state.db  # type: ignore[attr-defined]

    def busy(sql: str, params: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(db, "read_now", busy)
    first = client.get(f"/fr/t/{thread_id}")
    hits = _cache(client).hits
    again = client.get(f"/fr/t/{thread_id}")
    assert again.status_code == 200 and again.text == first.text and _cache(client).hits == hits + 1
