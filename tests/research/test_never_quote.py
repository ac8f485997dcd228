"""The "never quote" control under a member's own post: the form, the API mark, the export and the datasheet."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.research import service
from app.research.models import NeverQuote
from tests.factories import api_login, html_login, make_category, make_reply, make_thread, make_user
from tests.research.helpers import approved_project, jsonl, put_consent, read_zip

LABELS = {"fr": ("ne jamais citer", "Permettre de nouveau"), "nl": ("Markeren als", "opnieuw toelaten"),
          "en": ("Mark as never quote", "Allow quoting with my permission again")}


def _forms(html: str, post_id: int) -> list[str]:
    """The never-quote forms of one post on a thread page."""
    return re.findall(rf'<form method="post" action="[^"]*/account/research/never-quote/{post_id}".*?</form>',
                      html, flags=re.S)


def _csrf(form: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found, form
    return found.group(1)


def _count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(NeverQuote)) or 0


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_author_marks_and_unmarks_a_post_from_the_thread(client: TestClient, session: Session, lang: str) -> None:
    author, other = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    reply = make_reply(session, posted=posted, author=other)
    session.commit()
    html_login(client, author.pseudonym, lang=lang)
    page = client.get(f"/{lang}/t/{posted.thread.id}")
    assert page.status_code == 200
    forms = _forms(page.text, posted.post.id)
    assert len(forms) == 1 and 'name="never" value="1"' in forms[0]
    assert _forms(page.text, reply.post.id) == []  # nobody is offered a mark on someone else's post
    mark_label, _unmark_label = LABELS[lang]
    assert mark_label.casefold() in forms[0].casefold()

    marked = client.post(f"/{lang}/account/research/never-quote/{posted.post.id}",
                         data={"csrf_token": _csrf(forms[0]), "never": "1", "back": "post"}, follow_redirects=False)
    assert marked.status_code == 303 and marked.headers["location"].endswith(f"/{lang}/p/{posted.post.id}")
    assert service.never_quote_ids(session, user=author) == {posted.post.id}
    page = client.get(f"/{lang}/t/{posted.thread.id}")
    forms = _forms(page.text, posted.post.id)
    assert 'name="never" value="0"' in forms[0] and LABELS[lang][1].casefold() in forms[0].casefold()

    client.post(f"/{lang}/account/research/never-quote/{posted.post.id}",
                data={"csrf_token": _csrf(forms[0]), "never": "0", "back": "post"})
    assert service.never_quote_ids(session, user=author) == set()


def test_another_member_cannot_mark_someone_elses_post(client: TestClient, session: Session) -> None:
    author, other = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    session.commit()
    html_login(client, other.pseudonym)
    page = client.get(f"/fr/t/{posted.thread.id}")
    assert _forms(page.text, posted.post.id) == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    refused = client.post(f"/fr/account/research/never-quote/{posted.post.id}",
                          data={"csrf_token": token.group(1), "never": "1", "back": "post"})
    assert refused.status_code == 403
    assert _count(session) == 0
    # Nor without CSRF token, nor logged out.
    assert client.post(f"/fr/account/research/never-quote/{posted.post.id}", data={"never": "1"}).status_code == 403
    client.cookies.clear()
    html_login(client, author.pseudonym)
    assert client.post(f"/fr/account/research/never-quote/{posted.post.id}", data={"never": "1"}).status_code == 403
    assert _count(session) == 0


def test_the_post_api_shows_the_mark_to_the_author_only(client: TestClient, session: Session) -> None:
    author, other = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    reply = make_reply(session, posted=posted, author=other)
    session.commit()
    token = api_login(client, author.pseudonym)
    assert client.put(f"/api/v1/research/posts/{posted.post.id}/never-quote", json={"never_quote": True},
                      headers={"X-CSRF-Token": token}).status_code == 204
    items = client.get(f"/api/v1/threads/{posted.thread.id}/posts").json()["items"]
    assert [i["marks"] for i in items] == [{"never_quote": True}, None]
    client.cookies.clear()
    api_login(client, other.pseudonym)
    items = client.get(f"/api/v1/threads/{posted.thread.id}/posts").json()["items"]
    assert [i["marks"] for i in items] == [None, {"never_quote": False}]
    client.cookies.clear()
    assert all(i["marks"] is None for i in client.get(f"/api/v1/threads/{posted.thread.id}/posts").json()["items"])
    assert reply.post.id not in service.never_quote_ids(session)


def test_export_and_datasheet_carry_the_mark(client: TestClient, session: Session) -> None:
    author, researcher = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, body="Premier message.")
    make_reply(session, posted=posted, author=author, body="Second message, à citer si besoin.")
    project = approved_project(session, lead=researcher)
    session.commit()
    put_consent(client, author.pseudonym, posts=True)
    token = api_login(client, author.pseudonym)
    client.put(f"/api/v1/research/posts/{posted.post.id}/never-quote", json={"never_quote": True},
               headers={"X-CSRF-Token": token})
    client.cookies.clear()
    for fmt in ("jsonl", "csv"):
        token = api_login(client, researcher.pseudonym)
        created = client.post(f"/api/v1/research/projects/{project.id}/exports", json={"format": fmt},
                              headers={"X-CSRF-Token": token})
        status = client.get(f"/api/v1/research/exports/{created.json()['id']}").json()
        files = read_zip(client.get(status["download_url"]).content)
        client.cookies.clear()
        readme = files["README.md"].decode()
        assert "never quote posts: 1" in readme and "`never_quote`" in readme
        if fmt == "jsonl":
            posts = jsonl(files["data/posts.jsonl"])
            assert [p["never_quote"] for p in posts] == [True, False]
        else:
            lines = files["data/posts.csv"].decode().splitlines()
            column = lines[0].split(",").index("never_quote")
            assert [line.split(",")[column] for line in lines[1:]] == ["true", "false"]
