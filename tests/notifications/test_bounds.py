"""Numbers out of range (pages, ids) are refused at the edge, never a 500 from the database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import api_login, csrf_from, html_login, make_user

HUGE = ["9223372036854775808", "9223372036854775807", "99999999999999999999999", "2147483648"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("path", ["/api/v1/me/notifications", "/api/v1/me/watched-threads",
                                  "/api/v1/me/watched-threads?muted=1"])
def test_api_pages_out_of_range_are_422(client: TestClient, session: Session, path: str, value: str) -> None:
    make_user(session, "Anne")
    session.commit()
    api_login(client, "Anne")
    response = client.get(path, params={"page": value})
    assert response.status_code == 422 and response.json()["field"] == "page"


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("path", ["/fr/notifications", "/fr/notifications?unread=1", "/fr/my-threads",
                                  "/fr/my-threads?muted=1"])
def test_page_numbers_out_of_range_are_not_500(client: TestClient, session: Session, path: str, value: str) -> None:
    make_user(session, "Anne")
    session.commit()
    html_login(client, "Anne")
    response = client.get(path, params={"page": value}, follow_redirects=False)
    # A page number no list has leads to the list's first page (app/web/errors.py), never a 500.
    assert response.status_code == 303 and "page=" not in response.headers["location"]
    assert client.get(response.headers["location"]).status_code == 200


@pytest.mark.parametrize("ids", [[9223372036854775808], [9223372036854775807], [2147483648],
                                 [-9223372036854775809], [-9223372036854775808], [0],
                                 [99999999999999999999999]])
def test_ids_out_of_range_are_refused(client: TestClient, session: Session, ids: list[int]) -> None:
    make_user(session, "Anne")
    session.commit()
    token = api_login(client, "Anne")
    response = client.post("/api/v1/me/notifications/read", json={"ids": ids}, headers={"X-CSRF-Token": token})
    assert response.status_code == 422


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "2147483648"])
def test_form_and_path_ids_out_of_range_are_not_500(client: TestClient, session: Session, value: str) -> None:
    make_user(session, "Anne")
    session.commit()
    html_login(client, "Anne")
    token = csrf_from(client.get("/fr/notifications").text)
    posted = client.post("/fr/notifications/read", data={"csrf_token": token, "ids": value}, follow_redirects=False)
    assert posted.status_code < 500
    assert client.get(f"/fr/notifications/{value}/open", follow_redirects=False).status_code == 404
    assert client.get("/api/v1/members/mentionable", params={"q": "a", "thread_id": value}).status_code == 422
