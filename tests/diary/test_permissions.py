"""Who sees a diary: the owner; members only when chosen; a share link opens the summary and nothing else."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.diary import service
from app.diary.models import ShareLink
from app.search.models import OutboxEntry
from tests.diary.helpers import days_ago, form_token, log
from tests.factories import html_login, make_user

OWNER_PAGES = ["/fr/diary", "/fr/diary/entries", "/fr/diary/plan", "/fr/diary/settings", "/fr/diary/summary",
               "/fr/diary/export.csv", "/fr/diary/export.json"]


def _make_link(client: TestClient, pseudonym: str) -> str:
    html_login(client, pseudonym)
    token = form_token(client, "/fr/diary/settings")
    page = client.post("/fr/diary/share", data={"csrf_token": token, "label": "Dr Peeters"})
    match = re.search(r"http://testserver(/fr/diary/shared/[A-Za-z0-9_-]+)", page.text)
    assert match, page.text
    client.cookies.clear()
    return match.group(1)


def test_visitor_is_sent_to_login(client: TestClient) -> None:
    for path in OWNER_PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/account/login" in response.headers["location"], path


def test_private_diary_is_invisible_to_other_members(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Private")
    log(session, owner, days_ago(1), note="secret")
    make_user(session, "Curious")
    session.commit()
    html_login(client, "Curious")
    assert client.get(f"/fr/diary/member/{owner.id}").status_code == 404
    assert "secret" not in client.get("/fr/diary").text  # one's own (empty) diary only
    assert client.get("/api/v1/diary/entries").json() == []


def test_members_visibility_shows_the_summary_without_notes(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Open")
    log(session, owner, days_ago(1), note="secret note")
    service.update_settings(session, user=owner, visibility="members", taper_line_on=False)
    service.save_questions(session, user=owner, questions="private question")
    make_user(session, "Reader")
    session.commit()
    assert client.get(f"/fr/diary/member/{owner.id}", follow_redirects=False).status_code == 303  # visitors: login
    html_login(client, "Reader")
    page = client.get(f"/fr/diary/member/{owner.id}")
    assert page.status_code == 200 and page.headers["x-robots-tag"] == "noindex"
    main = page.text[page.text.index("<main"):]  # the header has icons of its own (the bell)
    assert "<svg" in main and "secret note" not in page.text and "private question" not in page.text


def test_share_link_opens_exactly_the_summary(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Patient")
    log(session, owner, days_ago(2), dose=1.5, note="my private note")
    service.save_questions(session, user=owner, questions="Can we slow down?")
    other = make_user(session, "Bystander")
    log(session, other, days_ago(2), drug="zolpidem", dose=10)
    session.commit()
    path = _make_link(client, "Patient")
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["x-robots-tag"] == "noindex" and '<meta name="robots" content="noindex">' in page.text
    assert "Can we slow down?" in page.text and "<table" in page.text
    assert "my private note" not in page.text and "Patient" not in page.text.split("<main")[1]
    assert "zolpidem" not in page.text.lower()  # nobody else's diary
    # The link is not a login: every other diary page and the API stay closed.
    for other_path in OWNER_PAGES:
        assert client.get(other_path, follow_redirects=False).status_code == 303, other_path
    assert client.get("/api/v1/diary/entries").status_code == 401
    assert client.get(path + "/edit").status_code == 404
    assert client.get(path[:-1]).status_code == 404  # a near miss is not a match


def test_revoked_link_is_404(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Revoker")
    log(session, owner, days_ago(1))
    session.commit()
    path = _make_link(client, "Revoker")
    assert client.get(path).status_code == 200
    html_login(client, "Revoker")
    link = session.scalar(select(ShareLink).where(ShareLink.user_id == owner.id))
    assert link is not None and link.token_hash not in path  # stored hashed
    token = form_token(client, "/fr/diary/settings")
    client.post(f"/fr/diary/share/{link.id}/revoke", data={"csrf_token": token})
    client.cookies.clear()
    assert client.get(path).status_code == 404


def test_member_cannot_revoke_someone_elses_link(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Keeper")
    session.commit()
    path = _make_link(client, "Keeper")
    make_user(session, "Meddler")
    session.commit()
    html_login(client, "Meddler")
    link = session.scalar(select(ShareLink).where(ShareLink.user_id == owner.id))
    assert link is not None
    token = form_token(client, "/fr/diary/settings")
    assert client.post(f"/fr/diary/share/{link.id}/revoke", data={"csrf_token": token}).status_code == 404
    client.cookies.clear()
    assert client.get(path).status_code == 200


def test_diary_never_reaches_the_search_outbox(client: TestClient, session: Session) -> None:
    owner = make_user(session, "Quiet")
    log(session, owner, days_ago(1), note="a very low day", mood=1)
    session.commit()
    assert session.scalar(select(OutboxEntry)) is None
