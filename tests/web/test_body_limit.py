"""A request body over settings.max_request_bytes is refused with 413 before it is read, on every route."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.settings import Settings
from tests.factories import api_login, csrf_from, make_user


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"pseudonym": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'", "password": "x"}'


def test_a_declared_length_over_the_limit_is_refused_unread(client: TestClient, settings: Settings) -> None:
    big = b'{"pseudonym": "' + b"a" * settings.max_request_bytes + b'", "password": "x"}'
    response = client.post("/api/v1/session", content=big,
                           headers={"Content-Type": "application/json", "Accept-Language": "fr"})
    assert response.status_code == 413
    assert "trop volumineux" in response.json()["detail"] and "2\u202f048 ko" in response.json()["detail"]


def test_a_chunked_body_is_counted_as_it_streams_in(client: TestClient, session: Session, settings: Settings) -> None:
    make_user(session, "Membre")
    session.commit()
    token = api_login(client, "Membre")
    response = client.post("/api/v1/diary/entries", content=_chunks(settings.max_request_bytes + 1),
                           headers={"Content-Type": "application/json", "X-CSRF-Token": token})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413
    assert client.get("/api/v1/me").status_code == 200  # the member's session is untouched


def test_a_form_too_large_gets_a_page_in_its_language(client: TestClient, settings: Settings) -> None:
    page = client.get("/nl/account/login")
    too_long = "x" * (settings.max_request_bytes + 10)
    response = client.post("/nl/account/login", data={"pseudonym": too_long, "password": "x",
                                                      "csrf_token": csrf_from(page.text)})
    assert response.status_code == 413 and "te groot" in response.text


def test_a_body_within_the_limit_goes_through(client: TestClient, session: Session) -> None:
    make_user(session, "Membre")
    session.commit()
    assert api_login(client, "Membre")
