"""Consent: the API contract, the history, the account page, the member's data, the one-time ask."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.research import service, texts
from app.research.models import Consent, ConsentEvent, ConsentScope
from tests.factories import api_login, csrf_from, html_login, make_category, make_thread, make_user
from tests.member_data.test_views import pass_grace_period
from tests.research.helpers import put_consent


def test_default_is_no_consent_and_put_get_roundtrip(client: TestClient, session: Session) -> None:
    member = make_user(session, "Lotus")
    session.commit()
    token = api_login(client, member.pseudonym)
    first = client.get("/api/v1/me/consent").json()
    current = texts.current("consent").version
    assert (first["posts"], first["diary"], first["version"]) == (False, False, current)
    saved = client.put("/api/v1/me/consent", json={"posts": True, "diary": False}, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200 and saved.json()["posts"] is True and saved.json()["posts_version"] == current
    assert client.get("/api/v1/me/consent").json()["posts"] is True
    assert client.put("/api/v1/me/consent", json={"posts": "maybe"},
                      headers={"X-CSRF-Token": token}).status_code == 422
    assert client.put("/api/v1/me/consent", json={"posts": False, "diary": False}).status_code == 403  # no CSRF
    client.cookies.clear()
    assert client.get("/api/v1/me/consent").status_code == 401


def test_withdrawal_is_recorded_with_its_date(client: TestClient, session: Session) -> None:
    member = make_user(session)
    session.commit()
    put_consent(client, member.pseudonym, posts=True, diary=True)
    put_consent(client, member.pseudonym, posts=False, diary=True)
    events = session.execute(select(ConsentEvent.scope, ConsentEvent.granted, ConsentEvent.created_at,
                                    ConsentEvent.text_sha256).order_by(ConsentEvent.id)).all()
    assert [(e.scope, e.granted) for e in events] == [("posts", True), ("diary", True), ("posts", False)]
    assert all(e.created_at is not None and len(e.text_sha256) == 64 for e in events)
    assert service.consenting_members(session, scope=ConsentScope.posts) == {}
    current = texts.current("consent").version
    assert service.consenting_members(session, scope=ConsentScope.diary) == {member.id: current}


def test_consent_page_in_each_language(client: TestClient, session: Session) -> None:
    member = make_user(session)
    session.commit()
    html_login(client, member.pseudonym)
    for lang in ("fr", "nl", "en"):
        page = client.get(f"/{lang}/account/research")
        assert page.status_code == 200
        assert texts.current("consent").title(lang) in page.text
    page = client.get("/fr/account/research")
    response = client.post("/fr/account/research", data={"posts": "yes", "diary": "no",
                                                          "csrf_token": csrf_from(page.text)}, follow_redirects=True)
    assert response.status_code == 200 and 'role="status"' in response.text
    assert service.get_consent(session, user=member).posts is True


def test_never_quote_marks_only_own_posts(client: TestClient, session: Session) -> None:
    member, other = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=member)
    session.commit()
    token = api_login(client, other.pseudonym)
    assert client.put(f"/api/v1/research/posts/{posted.post.id}/never-quote", json={"never_quote": True},
                      headers={"X-CSRF-Token": token}).status_code == 403
    client.cookies.clear()
    token = api_login(client, member.pseudonym)
    assert client.put(f"/api/v1/research/posts/{posted.post.id}/never-quote", json={"never_quote": True},
                      headers={"X-CSRF-Token": token}).status_code == 204
    assert service.never_quote_ids(session, user=member) == {posted.post.id}


def test_data_download_and_account_deletion_cover_consent(client: TestClient, session: Session) -> None:
    member = make_user(session)
    session.commit()
    put_consent(client, member.pseudonym, posts=True)
    html_login(client, member.pseudonym)
    data = json.loads(client.get("/fr/account/data/export.json").content)
    assert data["research"]["consent"]["posts"] is True
    assert data["research"]["consent_history"][0]["granted"] is True
    page = client.get("/fr/account/data")
    response = client.post("/fr/account/delete", data={"delete_password": "a sturdy passphrase 42",
                                                       "confirm": "yes", "posts": "keep",
                                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303  # scheduled: final after the grace period
    assert session.scalar(select(func.count()).select_from(Consent)) == 1  # until then, nothing is lost
    session.commit()  # the test's own transaction would hold SQLite's write lock
    pass_grace_period(client.app)  # type: ignore[arg-type]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Consent)) == 0
    assert session.scalar(select(func.count()).select_from(ConsentEvent)) == 0


@pytest.fixture
def second_version(monkeypatch: pytest.MonkeyPatch) -> texts.Document:
    """A material version 2 of the consent text, published after members answered version 1."""
    original = texts.documents
    first = original("consent")[1]
    second = dataclasses.replace(first, version=2, material=True)
    monkeypatch.setattr(texts, "documents", lambda kind: {1: first, 2: second} if kind == "consent"
                        else original(kind))
    return second


def test_a_new_version_asks_once_and_never_nags(client: TestClient, session: Session,
                                                second_version: texts.Document) -> None:
    member = make_user(session)
    session.add(Consent(user_id=member.id, posts=True, diary=False, posts_version=1, asked_version=1))
    session.commit()
    # Consent under a materially different text no longer counts until the member answers again.
    assert service.consenting_members(session, scope=ConsentScope.posts) == {}
    html_login(client, member.pseudonym)
    page = client.get("/fr/")
    assert 'id="research-prompt-heading"' in page.text
    response = client.post("/fr/account/research/later", data={"csrf_token": csrf_from(page.text)},
                           follow_redirects=True)
    assert 'id="research-prompt-heading"' not in response.text
    assert 'id="research-prompt-heading"' not in client.get("/fr/").text
    assert service.get_consent(session, user=member).posts is True  # "not now" keeps the answers


def test_a_wording_only_version_asks_no_one_again(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    original = texts.documents
    first = original("consent")[1]
    reworded = dataclasses.replace(first, version=2, material=False)
    monkeypatch.setattr(texts, "documents", lambda kind: {1: first, 2: reworded} if kind == "consent"
                        else original(kind))
    member = make_user(session)
    session.add(Consent(user_id=member.id, posts=True, diary=False, posts_version=1, asked_version=1))
    session.commit()
    assert service.users_to_ask(session) == set()
    assert service.consenting_members(session, scope=ConsentScope.posts) == {member.id: 1}
    monkeypatch.setattr(texts, "documents", lambda kind: {1: first, 2: dataclasses.replace(reworded, material=True)}
                        if kind == "consent" else original(kind))
    assert service.users_to_ask(session) == {member.id}
