"""Numeric and date edges on every route parameter: never a 500 (issue 9, item 3 and the edge suite).

Every route of the application is read from its route table; each path
parameter and each query parameter it declares gets the edge values (0, -1,
2^31, 2^63, 1e308, NaN, and far dates). A member and their own objects exist,
so authorised paths reach the database too. The answer must be a 2xx, 3xx or a
4xx with a readable message, never a 5xx.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.diary.plans import PlanInput, create_plan
from app.diary.service import today
from tests.diary.helpers import log
from tests.factories import api_login, csrf_from, html_login, make_category, make_thread, make_user
from tests.security.routes import iter_routes

NUMBERS = ["0", "-1", str(2**31), str(2**63), str(2**64), "1e308", "NaN", "-0", "1.5", "abc"]
DATES = ["9999-12-31", "0001-01-01", "1969-12-31", "2026-02-30", "99999-01-01"]
DATE_PARAMS = {"day", "date_from", "date_to", "from", "to", "start_date", "end_date"}


def edges(name: str) -> list[str]:
    return [*DATES, "0", "-1", "NaN"] if name in DATE_PARAMS else NUMBERS
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _fill(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values.get(m.group(1), "1"), path)


def _arrange(session: Session, client: TestClient) -> dict[str, str]:
    member = make_user(session, "Bordure")
    category = make_category(session)
    posted = make_thread(session, category=category, author=member)
    log(session, member, today())
    plan = create_plan(session, user=member, data=PlanInput(drug="diazepam", start_dose_mg=10, start_date=today()))
    session.commit()
    html_login(client, "Bordure")
    return {"lang": "fr", "slug": category.slug, "thread_id": str(posted.thread.id), "post_id": str(posted.post.id),
            "plan_id": str(plan.id), "day": today().isoformat(), "user_id": str(member.id), "link_id": "1",
            "session_id": "1", "token": "x" * 20}


def _send(client: TestClient, method: str, url: str, csrf: str, params: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin"}
    if method in ("GET", "DELETE"):
        return client.request(method, url, params=params, headers=headers, follow_redirects=False)
    return client.request(method, url, params=params, headers=headers, json={}, follow_redirects=False)


@pytest.mark.slow
def test_every_route_parameter_survives_its_edge_values(app, client: TestClient, session: Session) -> None:  # type: ignore[no-untyped-def]
    base = _arrange(session, client)
    csrf = api_login(client, "Bordure")
    failures: list[str] = []
    tried = 0
    for route in iter_routes(app):
        path_names = _PARAM.findall(route.path)
        queries = route.query_params
        for method in sorted(route.methods - {"HEAD"}):
            for name in [*path_names, *queries]:
                if name == "lang":
                    continue
                for value in edges(name):
                    if name in path_names:
                        url, params = _fill(route.path, {**base, name: value}), None
                    else:
                        url, params = _fill(route.path, base), {name: value}
                    response = _send(client, method, url, csrf, params)
                    tried += 1
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} {params or ''} -> {response.status_code}")
    assert tried > 300, tried
    print(f"{tried} requests")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/fr/t/9223372036854775808", "/fr/t/2147483648", "/fr/p/-1",
                                  "/api/v1/threads/9223372036854775808", "/api/v1/threads/0/posts",
                                  "/fr/diary/plan/versions/99999999999999999999"])
def test_ids_out_of_range_are_404(client: TestClient, session: Session, path: str) -> None:
    make_user(session, "Hors")
    session.commit()
    html_login(client, "Hors")
    response = client.get(path)
    assert response.status_code == 404


def test_pages_and_dates_out_of_range_are_422_with_a_message(client: TestClient, session: Session) -> None:
    thread = make_thread(session, category=make_category(session), author=make_user(session))
    session.commit()
    response = client.get(f"/api/v1/threads/{thread.thread.id}/posts", params={"page": 2**63})
    assert response.status_code == 422 and response.json()["field"] == "page"
    page = client.get("/en/search", params={"q": "bonjour", "date_to": "9999-12-31"})
    assert page.status_code == 200 and "year-month-day" in page.text
    api = client.get("/api/v1/search", params={"q": "bonjour", "date_to": "9999-12-31", "date_from": "0001-01-01"})
    assert api.status_code == 200
    assert dt.date.fromisoformat("2999-12-31")  # the last date a filter accepts


def test_a_form_field_over_a_megabyte_is_a_clear_400_in_the_members_language(client: TestClient,
                                                                             session: Session) -> None:
    """Starlette refuses a multipart field over 1 MB; the member reads why, in their language, and how to go on."""
    thread = make_thread(session, category=make_category(session), author=make_user(session, "Longue"))
    session.commit()
    html_login(client, "Longue")
    csrf = csrf_from(client.get(f"/nl/t/{thread.thread.id}").text)
    response = client.post(f"/nl/t/{thread.thread.id}/reply", files={"body": (None, "x" * (1024 * 1024 + 10))},
                           data={"csrf_token": csrf}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "te lang" in response.text and "browser" in response.text
