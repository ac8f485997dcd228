"""A decision is taken on the text the moderator read: an author's edit meanwhile makes it stale (409)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.forum.models import Post, PostStatus
from tests.factories import csrf_from, html_login, make_user
from tests.review.helpers import CALM, as_member, decide, moderator, open_item, post

EDITED = "Bonjour, finalement je voulais juste dire que je diminue doucement, merci de m'accueillir."


def _edit(client: TestClient, pseudonym: str, post_id: int, body: str) -> None:
    token = as_member(client, pseudonym)
    response = client.patch(f"/api/v1/posts/{post_id}", json={"body": body}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text


def test_an_edit_of_a_held_first_post_makes_the_opened_item_stale(client: TestClient, session: Session) -> None:
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    posted = post(session, newcomer, CALM)
    session.commit()
    assert posted.post.status == PostStatus.held
    token = as_member(client, "Modo")
    item_id = open_item(session, posted.post.id).id
    seen = client.get(f"/api/v1/review/items/{item_id}").json()["version"]
    _edit(client, "Nouvelle", posted.post.id, EDITED)  # an edit no rule finds anything in
    token = as_member(client, "Modo")
    stale = decide(client, token, item_id, "approve", "Bienvenue !", rule="welcome", version=seen)
    assert stale["status"] == 409 and "changé" in stale["body"]["detail"]
    session.expire_all()
    assert session.get(Post, posted.post.id).status == PostStatus.held  # type: ignore[union-attr]
    fresh = client.get(f"/api/v1/review/items/{item_id}").json()
    assert fresh["version"] != seen
    assert decide(client, token, item_id, "approve", "Bienvenue !", rule="welcome",
                  version=fresh["version"])["status"] == 200


def test_the_item_page_refuses_a_decision_on_the_text_before_an_edit(client: TestClient, session: Session) -> None:
    newcomer = make_user(session, "Nouvelle", approved_posts=0)
    moderator(session, "Modo")
    posted = post(session, newcomer, CALM)
    session.commit()
    item_id = open_item(session, posted.post.id).id
    html_login(client, "Modo")
    page = client.get(f"/fr/review/items/{item_id}")
    assert CALM in page.text
    version = open_item(session, posted.post.id).version
    _edit(client, "Nouvelle", posted.post.id, EDITED)
    client.cookies.clear()
    html_login(client, "Modo")
    token = csrf_from(client.get(f"/fr/review/items/{item_id}").text)  # a new session's token; the form's version
    decided = client.post(f"/fr/review/items/{item_id}/decide", data={
        "action": "approve", "reason": "Bienvenue parmi nous !", "rule": "welcome", "version": str(version),
        "csrf_token": token}, follow_redirects=False)
    assert decided.status_code == 409 and "changé" in decided.text
    session.expire_all()
    assert session.get(Post, posted.post.id).status == PostStatus.held  # type: ignore[union-attr]
    again = client.get(f"/fr/review/items/{item_id}")
    assert "finalement je voulais juste dire" in again.text  # the moderator reads the text as it is now


def test_an_edit_of_a_reported_post_makes_the_report_item_stale(client: TestClient, session: Session) -> None:
    author = make_user(session, "Auteur")
    make_user(session, "Lecteur")
    moderator(session, "Modo")
    posted = post(session, author, CALM)
    session.commit()
    token = as_member(client, "Lecteur")
    assert client.post(f"/api/v1/posts/{posted.post.id}/reports", json={"reason": "spam", "text": ""},
                       headers={"X-CSRF-Token": token}).status_code == 201
    as_member(client, "Modo")
    item_id = open_item(session, posted.post.id).id
    seen = client.get(f"/api/v1/review/items/{item_id}").json()["version"]
    _edit(client, "Auteur", posted.post.id, EDITED)
    token = as_member(client, "Modo")
    assert decide(client, token, item_id, "approve", "Rien à redire.", version=seen)["status"] == 409
