from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.security import csrf_token_for
from tests.factories import csrf_from, logged_in_member, make_category, make_thread, make_user


def test_security_headers_on_pages_api_and_errors(client: TestClient) -> None:
    for path in ("/fr/", "/api/v1/categories", "/fr/nothing-here", "/static/css/site.css"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "camera=()" in response.headers["permissions-policy"]


def test_pages_make_no_third_party_requests(client: TestClient) -> None:
    html = client.get("/fr/").text
    for attribute in ('src="http', "src='http", 'href="//', "@import"):
        assert attribute not in html
    assert 'href="https://' not in html.split("<body")[0]


def test_same_origin_form_whose_token_expired_keeps_the_text(client: TestClient, session: Session) -> None:
    """A form of ours opened before logging in (its token bound to the old cookie): its text is shown to copy.

    Never re-armed with a fresh token (finding 2 of tester 11): the page has no form that sends it.
    """
    logged_in_member(client, session, "Pivert")
    thread = make_thread(session, category=make_category(session), author=make_user(session))
    session.commit()
    stale = csrf_token_for(b"test-secret-" + b"x" * 32, "the-cookie-of-another-tab")
    long_text = "Voici un long message que je ne veux pas perdre. " * 10
    response = client.post(f"/fr/t/{thread.thread.id}/reply", data={"body": long_text, "csrf_token": stale},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 403
    assert long_text.strip() in response.text
    assert re.search(r"<textarea[^>]*readonly[^>]*>" + re.escape(long_text.strip()), response.text)
    assert f'action="/fr/t/{thread.thread.id}/reply"' not in response.text and 'name="body"' not in response.text
    assert ">Message envoyé</label>" in response.text and stale not in response.text


def _visibility_of(session: Session, user_id: int) -> str | None:
    from app.diary.models import DiarySettings

    session.expire_all()
    row = session.get(DiarySettings, user_id)
    return row.visibility if row else None


@pytest.mark.parametrize("headers, with_token", [
    ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, False),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, True),
    ({"Origin": "https://evil.example"}, True),  # an older browser: no Fetch Metadata
    ({"Origin": "null"}, True),  # a sandboxed attacker frame
    ({}, False),
])
def test_a_blocked_cross_site_post_is_never_turned_into_a_working_one(
        client: TestClient, session: Session, headers: dict[str, str], with_token: bool) -> None:
    """Issue 9, item 2: the "send again" page once re-emitted an attacker's fields with a fresh token."""
    victim = logged_in_member(client, session, "Victime")
    # An attacker can get a token this server issued (for the attacker's own cookie).
    attacker_token = csrf_token_for(b"test-secret-" + b"x" * 32, "the-attackers-own-cookie")
    data = {"visibility": "members", "taper_line": "1", **({"csrf_token": attacker_token} if with_token else {})}
    response = client.post("/fr/diary/settings", data=data, headers=headers)
    assert response.status_code == 403
    assert 'name="visibility"' not in response.text and 'value="members"' not in response.text
    assert 'action="/fr/diary/settings"' not in response.text
    # Whatever the victim clicks on that page, nothing can carry the attacker's fields.
    for token in re.findall(r'name="csrf_token" value="([^"]+)"', response.text):
        assert token != attacker_token
    assert _visibility_of(session, victim.id) in (None, "private")


def test_cross_site_form_post_is_refused(client: TestClient) -> None:
    page = client.get("/fr/account/login")
    token = csrf_from(page.text)
    response = client.post("/fr/account/login", data={"pseudonym": "a", "password": "b", "csrf_token": token},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_session_cookie_flags(client: TestClient, session: Session) -> None:
    make_user(session, "Cookie")
    session.commit()
    from tests.factories import PASSWORD

    response = client.post("/api/v1/session", json={"pseudonym": "Cookie", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in tests; production sets Secure


def test_no_address_is_stored(client: TestClient, session: Session) -> None:
    from sqlalchemy import inspect

    make_user(session, "Discret")
    session.commit()
    client.post("/api/v1/session", json={"pseudonym": "Discret", "password": "wrong wrong wrong"},
                headers={"X-Forwarded-For": "203.0.113.9"})
    engine = session.get_bind()
    dump = []
    with engine.connect() as conn:  # type: ignore[union-attr]
        for table in inspect(conn).get_table_names():
            dump.extend(str(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'))
    text = "\n".join(dump)
    assert "203.0.113.9" not in text and "testclient" not in text


def test_server_error_page_is_translated_and_not_a_stack_trace(app, session: Session) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient as Plain

    @app.get("/{lang}/boom", include_in_schema=False)
    def boom(lang: str) -> None:
        raise RuntimeError("kaboom")

    with Plain(app, raise_server_exceptions=False) as plain:
        response = plain.get("/nl/boom")
    assert response.status_code == 500
    assert '<html lang="nl">' in response.text and "kaboom" not in response.text


def test_404_page_in_the_page_language(client: TestClient) -> None:
    response = client.get("/nl/t/999999")
    assert response.status_code == 404 and '<html lang="nl">' in response.text


def test_security_headers_on_server_errors_too(app, session: Session) -> None:  # type: ignore[no-untyped-def]
    """Issue 9, item 6: the 500 page carried none of the security headers."""
    from fastapi.testclient import TestClient as Plain

    @app.get("/{lang}/boom-headers", include_in_schema=False)
    def boom(lang: str) -> None:
        raise RuntimeError("kaboom")

    @app.get("/api/v1/boom-headers", include_in_schema=False)
    def boom_api() -> None:
        raise RuntimeError("kaboom")

    with Plain(app, raise_server_exceptions=False) as plain:
        for path in ("/fr/boom-headers", "/api/v1/boom-headers"):
            response = plain.get(path)
            assert response.status_code == 500
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"


def test_private_pages_are_no_store(client: TestClient, session: Session) -> None:
    public = client.get("/fr/")
    assert public.headers["cache-control"] == "no-cache, private"
    logged_in_member(client, session, "Armoire")
    for path in ("/fr/diary", "/fr/account", "/fr/account/data", "/fr/account/data/export.json", "/fr/diary/export.csv",
                 "/api/v1/me", "/fr/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


def test_hsts_in_production_only(settings, db) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient as Plain

    from app.main import create_app

    assert "strict-transport-security" not in Plain(create_app(settings)).get("/fr/").headers
    production = settings.model_copy(update={"environment": "production"})
    response = Plain(create_app(production)).get("/fr/")
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")


@pytest.mark.parametrize("path, target", [("/fr", "/fr/"), ("/fr/search/", "/fr/search"),
                                          ("/fr/search/?q=a", "/fr/search?q=a")])
def test_slash_redirects_are_relative_whatever_the_host_header(client: TestClient, path: str, target: str) -> None:
    """Issue 9, item 12: the trailing-slash redirect took its host from the request's Host header."""
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (307, 308)
    assert response.headers["location"] == target


def test_method_not_allowed_says_what_is(client: TestClient) -> None:
    response = client.request("TRACE", "/api/v1/categories")
    assert response.status_code == 405 and "GET" in response.headers["allow"]


@pytest.mark.parametrize("value", ["fr", "Zq3-_x9" * 4, "a b", 'quote"d', "é", ""])
def test_set_cookie_headers_are_starlettes_whatever_the_value(value: str) -> None:
    from starlette.responses import Response

    from app.web.middleware import cookie_header

    for options in ({"httponly": True, "secure": True}, {"max_age": 3600}, {}):
        response = Response()
        response.set_cookie("tk_x", value, path="/", samesite="lax", **options)  # type: ignore[arg-type]
        assert cookie_header("tk_x", value, **options) == response.headers["set-cookie"]  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_form_whose_token_fails_shows_the_members_text_to_copy_and_them_as_logged_in(
        client: TestClient, session: Session, lang: str) -> None:
    """Outside tester: a bad token on a diary note lost the text, and the page header offered "log in"."""
    logged_in_member(client, session, "Precieuse", lang=lang)
    thread = make_thread(session, category=make_category(session), author=make_user(session))
    session.commit()
    note = "Mon texte précieux, écrit ce soir"
    for action, data in ((f"/{lang}/diary/entries", {"note": note, "day": "2026-01-05"}),
                         (f"/{lang}/t/{thread.thread.id}/reply", {"body": note})):
        response = client.post(action, data={**data, "csrf_token": "bad"})
        assert response.status_code == 403
        assert note in response.text
        assert f'action="{action}"' not in response.text  # shown to copy, never re-sent with a fresh token
        assert "/account/logout" in response.text and "/account/login" not in response.text
    cross = client.post(f"/{lang}/t/{thread.thread.id}/reply", data={"body": note, "csrf_token": "bad"},
                        headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403 and note not in cross.text  # another site's request gets nothing back


@pytest.mark.parametrize(("lang", "title_label", "body_label"), [
    ("fr", "Titre envoyé", "Message envoyé"), ("nl", "Verstuurde titel", "Verstuurd bericht"),
    ("en", "Title you sent", "Message you sent")])
def test_the_kept_title_and_message_each_have_their_own_label(client: TestClient, session: Session, lang: str,
                                                              title_label: str, body_label: str) -> None:
    """Outside tester: both read-only copies were labelled "the text that was sent"."""
    logged_in_member(client, session, "Precieuse", lang=lang)
    category = make_category(session)
    session.commit()
    response = client.post(f"/{lang}/c/{category.slug}/new",
                           data={"title": "Mon titre", "body": "Mon message précieux", "csrf_token": "bad"})
    assert response.status_code == 403
    assert f'<label for="kept-1">{title_label}</label>' in response.text
    assert f'<label for="kept-2">{body_label}</label>' in response.text
