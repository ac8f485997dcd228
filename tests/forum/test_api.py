from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.forum.models import Thread, Visibility
from tests.factories import api_login, make_category, make_thread, make_user


def _setup(session: Session) -> str:
    make_user(session, "Colibri")
    make_category(session, "tapering-now")
    session.commit()
    return "Colibri"


def test_categories_list_contract(client: TestClient, session: Session) -> None:
    make_category(session, "tapering-now")
    make_category(session, "off-topic", visibility=Visibility.members)
    session.commit()
    body = client.get("/api/v1/categories").json()
    assert {c["slug"] for c in body} == {"tapering-now"}  # members-only is hidden from visitors
    first = body[0]
    assert set(first) >= {"id", "slug", "names", "visibility"}
    assert set(first["names"]) == {"fr", "nl", "en"}


def test_create_thread_and_reply_contract(client: TestClient, session: Session) -> None:
    token = api_login(client, _setup(session))
    payload = {"title": "Semaine 3", "body": "Bonjour, je diminue le **lormétazépam**.", "lang": "fr"}
    response = client.post("/api/v1/categories/tapering-now/threads", json=payload, headers={"X-CSRF-Token": token})
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) >= {"id", "url", "first_post_id", "status", "findings"}
    assert created["status"] == "published"
    assert created["url"] == f"/fr/t/{created['id']}"
    assert client.get(created["url"]).status_code == 200

    reply = client.post(f"/api/v1/threads/{created['id']}/posts", json={"body": "Courage à toi !"},
                        headers={"X-CSRF-Token": token})
    assert reply.status_code == 201, reply.text
    assert set(reply.json()) >= {"id", "url", "status", "findings"}

    thread = client.get(f"/api/v1/threads/{created['id']}").json()
    assert thread["post_count"] == 2 and thread["title"] == "Semaine 3"
    posts = client.get(f"/api/v1/threads/{created['id']}/posts?page=1").json()
    assert posts["page"] == 1 and posts["pages"] == 1
    assert [p["id"] for p in posts["items"]] == [created["first_post_id"], reply.json()["id"]]
    item = posts["items"][0]
    assert set(item) >= {"id", "author", "body_html", "created_at"}
    assert "<strong>lormétazépam</strong>" in item["body_html"]


def test_writes_need_the_csrf_header(client: TestClient, session: Session) -> None:
    api_login(client, _setup(session))
    response = client.post("/api/v1/categories/tapering-now/threads",
                           json={"title": "Sans jeton", "body": "texte", "lang": "fr"})
    assert response.status_code == 403
    wrong = client.post("/api/v1/categories/tapering-now/threads",
                        json={"title": "Mauvais jeton", "body": "texte", "lang": "fr"},
                        headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403


def test_a_member_without_the_csrf_header_is_403_before_a_broken_body_is_judged(client: TestClient,
                                                                                  session: Session) -> None:
    """Refused as a missing token, as a well-formed body is: FastAPI decodes JSON before any dependency runs,
    so a broken body used to be answered 422 before the CSRF check (a visitor is told 401 first likewise)."""
    token = api_login(client, _setup(session))
    thread_id = make_thread(session, category=make_category(session, "other"), author=make_user(session)).post.thread_id
    post_id = make_thread(session, category=make_category(session, "third"), author=make_user(session, "Autre"),
                          ).post.id
    session.commit()
    json_headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
    for method, path in (("POST", "/api/v1/categories/tapering-now/threads"),
                         ("POST", f"/api/v1/threads/{thread_id}/posts"),
                         ("PATCH", f"/api/v1/posts/{post_id}"),
                         ("POST", f"/api/v1/posts/{post_id}/reactions"),
                         # The report route checks the token inside its own guard (members' token, visitors' JSON).
                         ("POST", f"/api/v1/posts/{post_id}/reports")):
        for headers in (json_headers, {**json_headers, "X-CSRF-Token": "nope"}):
            response = client.request(method, path, content=b"{not json", headers=headers)
            assert response.status_code == 403, (method, path, headers, response.text)
            assert response.json()["detail"]  # the JSON shape of every refusal
        # With the token, the body is judged: 422 as before.
        judged = client.request(method, path, content=b"{not json", headers={**json_headers, "X-CSRF-Token": token})
        assert judged.status_code == 422, (method, path, judged.text)
    assert client.get(f"/api/v1/threads/{thread_id}/posts").json()["total"] == 1  # nothing was posted


def test_writes_need_a_session(client: TestClient, session: Session) -> None:
    _setup(session)
    page = client.get("/fr/")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0] if 'csrf_token' in page.text else ""
    response = client.post("/api/v1/categories/tapering-now/threads",
                           json={"title": "Anonyme", "body": "texte", "lang": "fr"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code in (401, 403)


def test_a_reply_with_a_gone_session_is_401_before_its_body_is_judged(client: TestClient, session: Session) -> None:
    """The reply route loads its viewer inside its own work (one hand-over): the order of answers stays."""
    from sqlalchemy import delete

    from app.accounts.models import AuthSession

    token = api_login(client, _setup(session))
    thread_id = make_thread(session, category=make_category(session, "other"), author=make_user(session)).post.thread_id
    session.commit()
    path, headers = f"/api/v1/threads/{thread_id}/posts", {"X-CSRF-Token": token}
    for bad in ({"body": 12}, {}, {"body": "ok", "content_note": ["x"]}):
        assert client.post(path, json=bad, headers=headers).status_code == 422, bad  # a live session: the body
    assert client.post("/api/v1/threads/abc/posts", json={"body": "ok"}, headers=headers).status_code == 404
    session.execute(delete(AuthSession))  # logged out elsewhere (or expired): the cookie names no session now
    session.commit()
    for bad in ({"body": 12}, {}, {"body": "Courage à toi !"}):
        response = client.post(path, json=bad, headers=headers)
        assert response.status_code == 401, (bad, response.text)
        assert response.json()["detail"]
    assert client.post("/api/v1/threads/abc/posts", json={"body": 1}, headers=headers).status_code == 401
    assert client.get(f"/api/v1/threads/{thread_id}/posts").json()["total"] == 1  # nothing was posted


def test_invalid_thread_input_is_422(client: TestClient, session: Session) -> None:
    token = api_login(client, _setup(session))
    for payload in ({"title": "x", "body": "texte", "lang": "fr"}, {"title": "Bon titre", "body": "   ", "lang": "fr"},
                    {"title": "Bon titre", "body": "texte", "lang": "de"}):
        response = client.post("/api/v1/categories/tapering-now/threads", json=payload, headers={"X-CSRF-Token": token})
        assert response.status_code == 422, payload
        assert response.json()["detail"]


def test_malformed_json_is_a_body_level_error_without_a_position_as_field(client: TestClient,
                                                                        session: Session) -> None:
    token = api_login(client, _setup(session))
    response = client.post("/api/v1/categories/tapering-now/threads", content=b"{not json",
                           headers={"X-CSRF-Token": token, "Content-Type": "application/json",
                                    "Accept-Language": "fr"})
    assert response.status_code == 422
    body = response.json()
    # Not "field": "1" with "1: Ce n'est pas du JSON valide.": the position is no field of the request.
    assert body["field"] == "body" and [e["field"] for e in body["errors"]] == ["body"]
    assert body["detail"] == body["errors"][0]["message"] == "Ce n’est pas du JSON valide."


def test_pagination_of_posts(client: TestClient, session: Session) -> None:
    author = make_user(session, "Pagineur")
    category = make_category(session)
    posted = make_thread(session, category=category, author=author)
    from tests.factories import make_reply

    for index in range(11):  # 12 posts with a page size of 5
        make_reply(session, posted=posted, author=author, body=f"message numéro {index}")
    session.commit()
    thread_id = posted.post.thread_id
    first = client.get(f"/api/v1/threads/{thread_id}/posts?page=1").json()
    third = client.get(f"/api/v1/threads/{thread_id}/posts?page=3").json()
    assert first["pages"] == 3 and len(first["items"]) == 5
    assert len(third["items"]) == 2
    assert "numéro 10" in third["items"][-1]["body_html"]


def test_members_only_thread_is_invisible_to_visitors(client: TestClient, session: Session) -> None:
    author = make_user(session)
    category = make_category(session, visibility=Visibility.members)
    posted = make_thread(session, category=category, author=author)
    session.commit()
    assert client.get(f"/api/v1/threads/{posted.post.thread_id}").status_code == 404
    assert client.get(f"/fr/t/{posted.post.thread_id}").status_code == 404
    assert client.get(f"/fr/c/{category.slug}").status_code == 404


def test_deleted_and_hidden_posts_are_placeholders_only(client: TestClient, session: Session) -> None:
    """Issue 9, item 5: a removed post's content note and notices once told visitors what it was about."""
    from app.forum import service
    from app.forum.models import PostStatus
    from tests.factories import make_reply

    author = make_user(session, "Retrait")
    posted = make_thread(session, category=make_category(session), author=author)
    crisis = "Je n'en peux plus, je veux mourir, je pense au suicide ce soir."
    deleted = make_reply(session, posted=posted, author=author, body=crisis)
    hidden = make_reply(session, posted=posted, author=author, body=crisis)
    deleted.post.content_note = hidden.post.content_note = "suicidal_thoughts"
    session.flush()
    assert "crisis_lines" in deleted.post.notice_list
    from app.forum.permissions import access_post

    service.delete_post(session, post=access_post(session, author, deleted.post.id), actor=author)
    hidden.post.status = PostStatus.hidden
    session.commit()
    for who in ("visitor", "member"):
        if who == "member":
            make_user(session, "Lecteur")
            session.commit()
            api_login(client, "Lecteur")
        items = {p["id"]: p for p in client.get(f"/api/v1/threads/{posted.thread.id}/posts").json()["items"]}
        for post_id in (deleted.post.id, hidden.post.id):
            item = items[post_id]
            assert item["body_html"] is None and item["content_note"] is None, who
            assert item["notices"] == [] and item["edited_at"] is None and item["reactions"] == {}, who


def test_the_api_lists_every_problem_of_a_thread_and_refuses_direction_controls_in_bodies(
        client: TestClient, session: Session) -> None:
    token = api_login(client, _setup(session))
    headers = {"X-CSRF-Token": token, "Accept-Language": "en"}
    response = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                           json={"title": "Week \u202e3", "body": "normal \u202egnp.exe\u202c", "lang": "fr"})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "title" and body["detail"].startswith("A title cannot contain text-direction")
    assert [(e["field"], e["message"][:40]) for e in body["errors"]] == [
        ("title", "A title cannot contain text-direction co"), ("body", "This text cannot contain text-direction ")]
    thread = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                         json={"title": "Un fil", "body": "Bonjour", "lang": "fr"}).json()
    reply = client.post(f"/api/v1/threads/{thread['id']}/posts", headers=headers,
                        json={"body": "voir \u2067ceci\u2069"})
    assert reply.status_code == 422 and reply.json()["field"] == "body"
    assert "text-direction control characters" in reply.json()["detail"]


def test_a_new_thread_reports_every_problem_at_once_like_the_reply_and_the_form(client: TestClient,
                                                                              session: Session) -> None:
    """A too-short title, an unknown language, an empty body and an unknown content note: all four in
    "errors", in the form's order; "detail" and "field" stay the first problem's (contract)."""
    token = api_login(client, _setup(session))
    headers = {"X-CSRF-Token": token, "Accept-Language": "en"}
    response = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                           json={"title": "x", "body": "   ", "lang": "de", "content_note": "nope"})
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["title", "lang", "body", "content_note"]
    assert body["field"] == "title" and body["detail"] == "A title has between 3 and 200 characters."
    assert body["errors"][0]["message"] == body["detail"]
    assert all(e["message"] for e in body["errors"])
    french = client.post("/api/v1/categories/tapering-now/threads", headers={**headers, "Accept-Language": "fr"},
                         json={"title": "x" * 201, "body": "", "lang": "fr"}).json()
    assert [e["field"] for e in french["errors"]] == ["title", "body"] and "caractères" in french["detail"]
    # A type error is still the schema's, listed with the others it finds.
    typed = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                        json={"title": 3, "body": "texte", "lang": "fr"})
    assert typed.status_code == 422 and typed.json()["field"] == "title"
    assert session.scalar(select(func.count(Thread.id))) == 0


@pytest.mark.parametrize(("locale", "words"), [("fr", "données personnelles"), ("nl", "persoonlijke gegevens"),
                                                 ("en", "personal details")])
def test_a_post_held_for_personal_details_tells_its_poster_why_in_their_language(
        client: TestClient, session: Session, locale: str, words: str) -> None:
    make_user(session, "Colibri", locale=locale)
    make_category(session, "tapering-now")
    session.commit()
    client.headers["Accept-Language"] = locale  # an API client says its language as the browser does
    token = api_login(client, "Colibri")
    created = client.post("/api/v1/categories/tapering-now/threads", headers={"X-CSRF-Token": token},
                          json={"title": "Semaine 3", "body": "Bonjour à tous.", "lang": "fr"}).json()
    reply = client.post(f"/api/v1/threads/{created['id']}/posts", headers={"X-CSRF-Token": token},
                        json={"body": "Mon numéro est le 0470 12 34 56, appelle-moi."})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "held"
    found = [f for f in body["findings"] if f["category"] == "personal_data"]
    assert found and all(words in f["explanation"].lower() for f in found), found
    assert body["poster_notices"] == ["personal_data"]
    assert body["notices"] == []  # the notices stored with the post (every reader's) stay as they were
    checked = client.post("/api/v1/moderation/check", json={"text": "Appelle-moi au 0470 12 34 56", "lang": "fr"})
    assert all(words in f["explanation"].lower() for f in checked.json()["findings"]
               if f["category"] == "personal_data")


def test_the_wording_check_refuses_a_text_longer_than_a_post_before_reading_it(app, client: TestClient,  # type: ignore[no-untyped-def]
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Open to visitors: one check of 100,000 characters held a core for seconds. The limit is a post's."""
    from app.forum import api

    app.state.settings.max_post_chars = 300
    exactly = "Je diminue doucement. " * 13 + "a" * 14  # 286 + 14 characters, and spaces at the ends do not count
    assert len(exactly) == 300
    response = client.post("/api/v1/moderation/check", json={"text": f"  {exactly}\n", "lang": "fr"})
    assert response.status_code == 200 and response.json() == {"findings": []}

    def not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine ran on a text too long to be a post")

    monkeypatch.setattr(api, "check_text", not_run)
    for lang, words in (("fr", "Votre message est trop long"), ("nl", "Je bericht is te lang"),
                        ("en", "Your message is too long")):
        response = client.post("/api/v1/moderation/check", json={"text": exactly + "b", "lang": "fr"},
                               headers={"Accept-Language": lang})
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["field"] == "text" and body["detail"].startswith(words) and "300" in body["detail"]
        assert body["errors"] == [{"field": "text", "type": "invalid", "message": body["detail"]}]
    app.state.settings.max_post_chars = 20_000  # the default: a visitor's 100,000 characters
    response = client.post("/api/v1/moderation/check", json={"text": "x" * 100_000})
    assert response.status_code == 422 and response.json()["field"] == "text"


def test_only_a_newcomers_first_post_is_answered_with_the_welcome(client: TestClient, session: Session) -> None:
    """poster_notices said "welcome" for every held post of a newcomer: for the first only, "held" after."""
    make_user(session, "Nouveau", approved_posts=0, published_posts=0)
    make_category(session, "tapering-now")
    session.commit()
    token = api_login(client, "Nouveau")
    headers = {"X-CSRF-Token": token}
    created = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                          json={"title": "Bonjour à tous", "body": "Je suis nouveau ici.", "lang": "fr"}).json()
    assert created["status"] == "held" and created["poster_notices"] == ["welcome"]
    for body in ("Je précise : je diminue depuis un mois.", "Merci de m'avoir lu."):
        reply = client.post(f"/api/v1/threads/{created['id']}/posts", headers=headers, json={"body": body})
        assert reply.status_code == 201, reply.text
        assert reply.json()["status"] == "held" and reply.json()["poster_notices"] == ["held"]


def test_the_first_post_sent_twice_is_welcomed_both_times(session: Session) -> None:
    """A double click on the first post's form answers with that post: the welcome too, not "held"."""
    from app.forum import service

    newcomer = make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    thread = make_thread(session, category=make_category(session), author=make_user(session)).thread
    first = service.reply(session, thread=thread, author=newcomer, body="Bonjour !", form_nonce="n" * 20)
    again = service.reply(session, thread=thread, author=newcomer, body="Bonjour !", form_nonce="n" * 20)
    assert again.post.id == first.post.id
    assert first.screening.poster_notices() == again.screening.poster_notices() == ["welcome"]
    later = service.reply(session, thread=thread, author=newcomer, body="Merci !", form_nonce="m" * 20)
    assert later.screening.poster_notices() == ["held"]
    assert service.reply(session, thread=thread, author=newcomer, body="Merci !",
                         form_nonce="m" * 20).screening.poster_notices() == ["held"]


#: Bytes no UTF-8 decoder reads (a lone continuation byte, an invalid start byte): FastAPI's JSON decoding
#: fails before json.loads sees a document, and answered a bare 400 worded for HTML forms.
UNDECODABLE = (b'{"title": "Semaine 3", "body": "caf\xe9 \xff", "lang": "fr"}', b"\x80\x81\xfe")


def test_an_undecodable_json_body_is_refused_like_a_well_formed_one_then_judged_for_an_api_client(
        client: TestClient, session: Session) -> None:
    """Outsider's attack (round 31): a body that is not UTF-8 got 400 with a form's wording, before the auth and
    CSRF checks. It now gets the answers a readable body gets (401, then 403), then a JSON 422 for clients."""
    _setup(session)
    thread_id = make_thread(session, category=make_category(session, "other"), author=make_user(session)).post.thread_id
    post_id = make_thread(session, category=make_category(session, "third"), author=make_user(session, "Autre"),
                          ).post.id
    session.commit()
    json_headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
    routes = (("POST", "/api/v1/categories/tapering-now/threads"), ("POST", f"/api/v1/threads/{thread_id}/posts"),
              ("PATCH", f"/api/v1/posts/{post_id}"), ("POST", f"/api/v1/posts/{post_id}/reactions"))
    for body in UNDECODABLE:
        for method, path in routes:  # a visitor: not logged in, whatever the body
            response = client.request(method, path, content=body, headers=json_headers)
            assert response.status_code == 401, (method, path, response.text)
            readable = client.request(method, path, json={"body": "texte"}, headers=json_headers)
            assert readable.status_code == 401 and response.json() == readable.json()
    token = api_login(client, "Colibri")
    for body in UNDECODABLE:
        for method, path in routes:
            for headers in (json_headers, {**json_headers, "X-CSRF-Token": "nope"}):
                response = client.request(method, path, content=body, headers=headers)
                assert response.status_code == 403, (method, path, headers, response.text)
                assert response.json()["detail"]
            for lang, said in (("fr", "UTF-8"), ("nl", "UTF-8"), ("en", "UTF-8")):
                judged = client.request(method, path, content=body,
                                        headers={**json_headers, "Accept-Language": lang, "X-CSRF-Token": token})
                assert judged.status_code == 422, (method, path, judged.text)
                answer = judged.json()
                assert answer["field"] == "body" and [e["type"] for e in answer["errors"]] == ["json_invalid"]
                assert said in answer["detail"] and "browser" not in answer["detail"], answer
                assert "navigateur" not in answer["detail"] and "browser" not in answer["detail"].lower()
    assert client.get(f"/api/v1/threads/{thread_id}/posts").json()["total"] == 1  # nothing was posted
