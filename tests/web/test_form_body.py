"""A form body cut short or damaged gets a clear 400, never the CSRF page or a "field missing" (issue 9)."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.forum.models import Post
from app.web.form_body import STATE_KEY, watch_form_body
from tests.factories import csrf_from, html_login, make_category, make_thread, make_user

BOUNDARY = "TrefleKlaverBoundary"
UNREADABLE_NL = "onvolledig of beschadigd"
CROSS_SITE_NL = "kwam niet van een pagina"


def _multipart(fields: dict[str, str]) -> bytes:
    parts = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                    for name, value in fields.items())
    return f"{parts}--{BOUNDARY}--\r\n".encode()


def _urlencoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def reply_form(client: TestClient, session: Session) -> tuple[str, dict[str, str]]:
    thread = make_thread(session, category=make_category(session), author=make_user(session, "Afgekapt"))
    session.commit()
    html_login(client, "Afgekapt", lang="nl")
    csrf = csrf_from(client.get(f"/nl/t/{thread.thread.id}").text)
    return f"/nl/t/{thread.thread.id}/reply", {"csrf_token": csrf, "body": "Dag allemaal, één dag per keer. 🌱"}


def _post(client: TestClient, url: str, body: bytes, content_type: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(url, content=body, follow_redirects=False,
                       headers={"Content-Type": content_type, "Sec-Fetch-Site": "same-origin", **headers})


def _posts(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Post)) or 0


@pytest.mark.parametrize("cut", [-3, -12, 0.5, 0.2], ids=["closing", "last-field", "half", "token"])
def test_a_truncated_multipart_form_is_a_translated_400_not_the_csrf_page(
        client: TestClient, session: Session, reply_form: tuple[str, dict[str, str]], cut: float) -> None:
    url, fields = reply_form
    body = _multipart(fields)
    before = _posts(session)
    end = int(len(body) * cut) if isinstance(cut, float) else len(body) + cut
    response = _post(client, url, body[:end], MULTIPART)
    assert response.status_code == 400
    assert UNREADABLE_NL in response.text and "niets" in response.text
    assert CROSS_SITE_NL not in response.text
    assert _posts(session) == before
    # The same form, whole, still goes through.
    assert _post(client, url, body, MULTIPART).status_code == 303
    assert _posts(session) == before + 1


@pytest.mark.parametrize("damage", ["%", "%E", "%ZZ", "%C3"], ids=["lone-percent", "half-escape", "not-hex",
                                                                   "half-utf8"])
def test_a_damaged_urlencoded_form_is_a_translated_400(
        client: TestClient, session: Session, reply_form: tuple[str, dict[str, str]], damage: str) -> None:
    url, fields = reply_form
    before = _posts(session)
    response = _post(client, url, _urlencoded(fields) + damage.encode(), URLENCODED)
    assert response.status_code == 400
    assert UNREADABLE_NL in response.text and CROSS_SITE_NL not in response.text
    assert _posts(session) == before


def test_a_damaged_form_from_another_site_is_still_refused_as_cross_site(
        client: TestClient, reply_form: tuple[str, dict[str, str]]) -> None:
    url, fields = reply_form
    response = _post(client, url, _multipart(fields)[:40], MULTIPART, **{"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and CROSS_SITE_NL in response.text


def test_a_damaged_form_is_said_in_french_and_english_too(client: TestClient) -> None:
    for lang, words in (("fr", "incomplet ou abîmé"), ("en", "incomplete or damaged")):
        page = client.get(f"/{lang}/account/login")
        body = _urlencoded({"csrf_token": csrf_from(page.text), "pseudonym": "x"}) + b"&password=%E"
        response = _post(client, f"/{lang}/account/login", body, URLENCODED)
        assert response.status_code == 400 and words in response.text


def _watch(content_type: str, body: bytes, chunk: int) -> bool | None:
    """Feed `body` in chunks of `chunk` bytes through the watcher; what it recorded."""
    scope: dict = {"type": "http", "method": "POST", "headers": [(b"content-type", content_type.encode())]}
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = iter([{"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
                     for i, piece in enumerate(pieces)])

    async def receive():  # type: ignore[no-untyped-def]
        return next(messages)

    watched = watch_form_body(scope, receive)

    async def drain() -> None:
        for _ in pieces:
            await watched()

    # A loop of its own on a thread of its own: a browser test run earlier on this worker may have
    # left an event loop running on the main thread, where asyncio.run() refuses to start.
    runner = threading.Thread(target=asyncio.run, args=(drain(),))
    runner.start()
    runner.join()
    return scope.get("state", {}).get(STATE_KEY)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 65536])
def test_the_watcher_judges_whole_bodies_alike_whatever_the_chunk_size(chunk: int) -> None:
    fields = {"csrf_token": "abc.def", "body": "100% sûr — één 🌱 & = + %25"}
    assert _watch(MULTIPART, _multipart(fields), chunk) is False
    assert _watch(MULTIPART, _multipart(fields)[:-4], chunk) is True
    assert _watch(URLENCODED, _urlencoded(fields), chunk) is False
    assert _watch(URLENCODED, b"", chunk) is False
    for damage in (b"%", b"%4", b"%G0", b"%F0%9F%8C"):
        assert _watch(URLENCODED, _urlencoded(fields) + damage, chunk) is True
    assert _watch("application/json", b'{"a": 1', chunk) is None  # not a form: JSON has its own 422


@pytest.mark.parametrize("field", ["body", "title"])
def test_a_field_far_too_long_is_refused_before_the_route_and_never_shown_back(
        client: TestClient, session: Session, field: str) -> None:
    """A 1 MB title (or body) was shown back in full in the form and its error: now a short 413 (outsider walk)."""
    category = make_category(session)
    make_user(session, "Lange")
    session.commit()
    html_login(client, "Lange", lang="nl")
    csrf = csrf_from(client.get(f"/nl/c/{category.slug}/new").text)
    fields = {"csrf_token": csrf, "title": "Een gewone titel", "body": "Dag allemaal, één dag per keer.",
              "thread_lang": "nl", field: "Z" * 1_000_000}
    before = _posts(session)
    for body, content_type in ((_urlencoded(fields), URLENCODED), (_multipart(fields), MULTIPART)):
        refused = _post(client, f"/nl/c/{category.slug}/new", body, content_type)
        assert refused.status_code == 413
        if field == "body":  # a post's text: told the post's own limit (max_post_chars), not the 100,000 ceiling
            assert "langer dan een bericht" in refused.text and "20.000 tekens" in refused.text, refused.text
        else:
            assert "veel langer" in refused.text and "100.000 tekens" in refused.text  # said in Dutch, grouped
        assert len(refused.text) < 20_000 and "Z" * 50 not in refused.text
    assert _posts(session) == before


def test_messages_quote_a_typed_value_shortly() -> None:
    from app.plain_text import QUOTED_MAX, quoted

    assert quoted("  lorme   tazepam ") == "lorme tazepam"
    assert quoted("x" * 1_000_000) == "x" * (QUOTED_MAX - 1) + "…"
    assert quoted("a" + " " * 500 + "b") == "a…"  # cut, even when what is left of it would fit
    assert len(quoted("y" * 5000, 200)) == 200
