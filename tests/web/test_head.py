"""HEAD is answered wherever GET is: the same status and headers, no body (QA: 405 on /, /fr/, /livez...)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_category, make_thread, make_user

# Per answer, not per resource: a new request id, a new pre-session cookie, the clock.
_PER_ANSWER = {"date", "x-request-id", "set-cookie"}


def _same_headers(head: dict[str, str], get: dict[str, str]) -> None:
    assert {k: v for k, v in head.items() if k not in _PER_ANSWER} == \
        {k: v for k, v in get.items() if k not in _PER_ANSWER}


def test_head_wherever_get(client: TestClient, session: Session) -> None:
    category = make_category(session, "tapering-now")
    thread = make_thread(session, category=category, author=make_user(session, "Colibri"), title="Semaine 3").thread
    session.commit()
    paths = ["/", "/fr/", "/nl/", "/livez", "/healthz", "/fr/c/tapering-now", f"/fr/t/{thread.id}",
             "/api/v1/categories", "/robots.txt", "/static/css/site.css", "/fr/no-such-page"]
    for path in paths:
        get = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == get.status_code != 405, path
        assert head.content == b"", path
        _same_headers(dict(head.headers), dict(get.headers))
        if "content-length" in get.headers:
            assert head.headers["content-length"] == str(len(get.content)), path


def test_head_where_there_is_no_get_is_still_405(client: TestClient) -> None:
    response = client.head("/api/v1/moderation/check")
    assert response.status_code == 405 and response.content == b""
    assert "POST" in response.headers["allow"]


def test_help_without_a_language_leads_to_the_help_lines_in_the_visitors_language(client: TestClient) -> None:
    for accept, lang in (("nl-BE,nl;q=0.9", "nl"), ("fr-BE", "fr"), ("en", "en")):
        client.cookies.clear()  # the language cookie of the page before would win
        response = client.get("/help", headers={"accept-language": accept}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/{lang}/help"
        assert client.get(response.headers["location"]).status_code == 200
