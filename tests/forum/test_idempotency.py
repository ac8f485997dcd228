"""Idempotency-Key on the JSON API's creating writes: a retried or doubled request posts once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import idempotency
from app.db import utcnow
from app.forum.models import Post, Thread
from tests.factories import api_login, make_category, make_thread, make_user


def _thread(session: Session, client: TestClient) -> tuple[int, dict[str, str]]:
    make_user(session, "Colibri")
    posted = make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session, "Fil"))
    session.commit()
    return posted.thread.id, {"X-CSRF-Token": api_login(client, "Colibri")}


def _count(session: Session, thread_id: int) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread_id)) or 0


def test_a_retried_reply_with_the_same_key_posts_once_and_gets_the_first_answer(client: TestClient,
                                                                                session: Session) -> None:
    thread_id, headers = _thread(session, client)
    keyed = {**headers, "Idempotency-Key": "5f0c3a8e-1c1e-4a43-9d38-5b0f3c5b2a11"}
    first = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Réponse envoyée deux fois"},
                        headers=keyed)
    again = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Réponse envoyée deux fois"},
                        headers=keyed)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    assert _count(session, thread_id) == 2
    # Without a key, or with another key, the same text is a new reply (a member may say the same thing twice).
    assert client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Réponse envoyée deux fois"},
                       headers=headers).status_code == 201
    assert client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Réponse envoyée deux fois"},
                       headers={**headers, "Idempotency-Key": "another"}).status_code == 201
    assert _count(session, thread_id) == 4


@pytest.mark.parametrize(("lang", "words"),
                         [("fr", "déjà été utilisée"), ("nl", "al gebruikt"), ("en", "already used")])
def test_the_same_key_for_another_request_is_refused_in_the_members_language(
        client: TestClient, session: Session, lang: str, words: str) -> None:
    thread_id, headers = _thread(session, client)
    keyed = {**headers, "Idempotency-Key": "k-1", "Accept-Language": lang}
    first = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Un texte"}, headers=keyed)
    assert first.status_code == 201
    other = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Un autre texte"}, headers=keyed)
    assert other.status_code == 422, other.text
    assert words in other.json()["detail"].lower()
    assert _count(session, thread_id) == 2
    bad = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Un texte"},
                      headers={**keyed, "Idempotency-Key": "x" * 256})
    assert bad.status_code == 422 and _count(session, thread_id) == 2


def test_parallel_replies_with_one_key_post_once(client: TestClient, session: Session) -> None:
    thread_id, headers = _thread(session, client)
    client.arrange_session = None  # type: ignore[attr-defined]  # the requests run at once, in threads
    keyed = {**headers, "Idempotency-Key": "double-tap-1"}

    def send(_: int) -> tuple[int, int]:
        response = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Réponse double envoi identique"},
                               headers=keyed)
        return response.status_code, response.json().get("id", 0)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} == {201}, answers
    assert len({post_id for _, post_id in answers}) == 1
    assert _count(session, thread_id) == 2


def test_a_new_thread_with_a_key_is_made_once_and_the_key_is_new_again_after_the_window(
        client: TestClient, session: Session) -> None:
    make_user(session, "Colibri")
    make_category(session, "tapering-now")
    session.commit()
    headers = {"X-CSRF-Token": api_login(client, "Colibri"), "Idempotency-Key": "thread-1"}
    payload = {"title": "Semaine 3", "body": "Bonjour, je diminue.", "lang": "fr"}
    first = client.post("/api/v1/categories/tapering-now/threads", json=payload, headers=headers)
    again = client.post("/api/v1/categories/tapering-now/threads", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert session.scalar(select(func.count(Thread.id))) == 1
    session.execute(update(idempotency.IdempotencyKey).values(created_at=utcnow() - idempotency.WINDOW))
    session.commit()
    later = client.post("/api/v1/categories/tapering-now/threads", json=payload, headers=headers)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in later.headers
    assert idempotency.purge_expired(session) == 0  # the renewed key is within its window


@pytest.mark.parametrize(("lang", "words"), [("fr", "caractères ascii imprimables"),
                                             ("nl", "afdrukbare ascii-tekens"), ("en", "printable ascii")])
def test_a_malformed_key_is_told_what_a_key_may_be(client: TestClient, session: Session, lang: str,
                                                   words: str) -> None:
    """Outside tester: a bad key only got "This value is not valid"."""
    thread_id, headers = _thread(session, client)
    for key in ("x" * 256, "key with space", ""):
        bad = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Un texte"},
                          headers={**headers, "Idempotency-Key": key, "Accept-Language": lang})
        assert bad.status_code == 422, bad.text
        detail = bad.json()["detail"]
        assert detail.startswith("Idempotency-Key: ") and words in detail.lower() and "255" in detail, detail
    assert _count(session, thread_id) == 1
