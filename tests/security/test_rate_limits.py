"""Rate limits on searching and the visitors' JSON API: shared, translated, with Retry-After."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import ratelimit, throttle
from app.accounts.service import purge_expired_throttles
from app.settings import RateLimitSettings
from tests.factories import api_login, make_category, make_thread, make_user


def _on(app, **numbers: int) -> None:  # type: ignore[no-untyped-def]
    # Search windows of an hour: a one-minute fixed window could turn over in the middle of a test on a
    # loaded machine and reset the count (the window's length is not what these tests are about).
    numbers.setdefault("searches_seconds", 3600)
    app.state.settings.rate_limits = RateLimitSettings(enabled=True, **numbers)


@pytest.fixture
def one_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request of the test in the same one-minute window. The windows are fixed (aligned on the
    clock): a loaded machine taking a few seconds for the requests used to cross into the next minute
    now and then, and find its counter back at zero."""
    now = dt.datetime.now(dt.UTC).replace(second=20, microsecond=0)
    monkeypatch.setattr(throttle, "utcnow", lambda: now)


@pytest.mark.usefixtures("one_window")
def test_visitors_cannot_pull_the_api_in_a_minute(app, client: TestClient, session: Session) -> None:  # type: ignore[no-untyped-def]
    posted = make_thread(session, category=make_category(session), author=make_user(session))
    thread_id = posted.thread.id
    session.commit()
    _on(app, api_reads=5)
    answers = [client.get(f"/api/v1/threads/{thread_id}", headers={"Accept-Language": "nl"}) for _ in range(7)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refused = answers[5]
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
    assert "seconden" in refused.json()["detail"]  # in the request's language
    # Spoofed X-Forwarded-For from an untrusted peer changes nothing: same bucket.
    spoofed = client.get(f"/api/v1/threads/{thread_id}", headers={"X-Forwarded-For": "198.51.100.7"})
    assert spoofed.status_code == 429
    # A logged-in member is not counted as a visitor.
    make_user(session, "Lectrice")
    session.commit()
    app.state.settings.rate_limits = RateLimitSettings(enabled=False)
    api_login(client, "Lectrice")
    _on(app, api_reads=5)
    assert client.get(f"/api/v1/threads/{thread_id}").status_code == 200


@pytest.mark.usefixtures("one_window")
def test_searching_is_limited_per_client(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    _on(app, searches=3)
    assert [client.get("/fr/search", params={"q": "sommeil"}).status_code for _ in range(3)] == [200] * 3
    page = client.get("/fr/search", params={"q": "sommeil"})
    assert page.status_code == 429 and "Retry-After" in page.headers and '<html lang="fr">' in page.text
    assert client.get("/api/v1/search", params={"q": "sommeil"}).status_code == 429


def test_the_search_page_over_the_limit_keeps_the_words_and_says_when(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    _on(app, searches=2)
    for _ in range(3):
        assert client.get("/nl/search").status_code == 200  # the empty form is not a search
    for _ in range(2):
        assert client.get("/nl/search", params={"q": "slapeloosheid"}).status_code == 200
    page = client.get("/nl/search", params={"q": "slapeloosheid afbouw", "in_lang": "nl"})
    assert page.status_code == 429 and 0 < int(page.headers["retry-after"]) <= 3600
    assert 'value="slapeloosheid afbouw"' in page.text  # the words stay in the form
    assert '<option value="nl" selected>' in page.text  # and so do the filters
    wait = page.text[page.text.index('id="search-wait"'):]
    assert "seconde" in wait[:400] and re.search(r"\b\d{2}:\d{2}\b", wait[:400])  # how long, and until when
    assert "search-results" not in page.text  # no search ran


def test_a_member_searches_more_than_a_visitor_and_is_counted_alone(app, client: TestClient,  # type: ignore[no-untyped-def]
                                                                    session: Session) -> None:
    make_user(session, "Zoekster")
    session.commit()
    _on(app, searches=2, member_searches=5)
    assert [client.get("/fr/search", params={"q": "sommeil"}).status_code for _ in range(3)] == [200, 200, 429]
    app.state.settings.rate_limits = RateLimitSettings(enabled=False)
    api_login(client, "Zoekster")
    _on(app, searches=2, member_searches=5)
    # The same address, now with a member's session: the member's own count, with room to refine.
    answers = [client.get("/fr/search", params={"q": f"sommeil {n}"}).status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
    client.cookies.set("tk_session", "forged")  # a made-up cookie is counted as a visitor
    assert client.get("/fr/search", params={"q": "sommeil"}).status_code == 429


def test_housekeeping_keeps_the_current_window_of_every_limit(session: Session, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # 20 minutes into the hour: the hour's window began before the log-in throttle's 15-minute one.
    monkeypatch.setattr(throttle, "utcnow", lambda: dt.datetime(2026, 3, 1, 10, 20, tzinfo=dt.UTC))
    settings.rate_limits = RateLimitSettings(searches_seconds=3600)
    limit = ratelimit.Limit("search", 1, 3600)
    ratelimit.count(session, "search:1", limit)
    purge_expired_throttles(session, settings)
    assert ratelimit.count(session, "search:1", limit) is not None  # still counted: the bucket survived


@pytest.mark.usefixtures("one_window")
def test_the_composers_live_checks_are_limited_per_client_and_per_member(app, client: TestClient,  # type: ignore[no-untyped-def]
                                                                         session: Session) -> None:
    """The wording check and the suggested pages are open to any client and run the engine on what they are
    sent: counted, each apart, like the searches (visitors per client, members per member)."""
    check = ("/api/v1/moderation/check", {"text": "Bonjour", "lang": "fr"})
    suggest = ("/api/v1/resources/suggest", {"text": "Je dors mal", "lang": "fr"})
    make_user(session, "Schrijfster")
    session.commit()
    _on(app, previews=2, member_previews=4)
    for path, body in (check, suggest):  # each its own bucket: the composer sends both after a pause
        answers = [client.post(path, json=body, headers={"Accept-Language": "nl"}) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429], path
        refused = answers[2]
        assert 0 < int(refused.headers["retry-after"]) <= 60 and "seconden" in refused.json()["detail"]
        assert set(refused.json()) == {"detail"}  # the API's error shape
    assert client.get("/api/v1/resources").status_code == 200  # reads have their own limit
    app.state.settings.rate_limits = RateLimitSettings(enabled=False)
    api_login(client, "Schrijfster")
    _on(app, previews=2, member_previews=4)
    # The same address, now a member's session: the member's own count, with room for typing pauses.
    assert [client.post(check[0], json=check[1]).status_code for _ in range(5)] == [200] * 4 + [429]
    assert client.post(suggest[0], json=suggest[1]).status_code == 200
    client.cookies.set("tk_session", "forged")  # a made-up cookie is counted as a visitor
    assert client.post(check[0], json=check[1]).status_code == 429


@pytest.mark.usefixtures("one_window")
def test_a_long_text_checked_counts_for_more_uses(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The engine's time grows with the text: a budget of requests alone let one member keep both cores busy
    with full-length texts (outsider's attack). A short text is one use, each 2,000 bytes one more."""
    _on(app, previews=12, member_previews=12)
    long_text = {"text": "Je dors mal depuis la dernière baisse. " * 260, "lang": "fr"}  # about 10,000 bytes
    assert ratelimit.preview_cost({"headers": [(b"content-length", b"10100")]}) == 6
    assert ratelimit.preview_cost({"headers": []}) == ratelimit.PREVIEW_MAX_COST  # no length: the most
    assert ratelimit.preview_cost({"headers": [(b"content-length", b"120")]}) == 1
    answers = [client.post("/api/v1/moderation/check", json=long_text).status_code for _ in range(3)]
    assert answers == [200, 200, 429]  # 6 + 6 uses, then over 12
    short = client.post("/api/v1/resources/suggest", json={"text": "Je dors mal", "lang": "fr"})
    assert short.status_code == 200  # the other check's own bucket, one use


def test_the_live_checks_counters_are_kept_no_longer_than_their_window(session: Session, settings,  # type: ignore[no-untyped-def]
                                                                        monkeypatch) -> None:
    monkeypatch.setattr(throttle, "utcnow", lambda: dt.datetime(2026, 3, 1, 10, 20, tzinfo=dt.UTC))
    settings.rate_limits = RateLimitSettings(previews_seconds=7200)
    limit = ratelimit.Limit("moderation-check", 1, 7200)
    ratelimit.count(session, "moderation-check:1", limit)
    purge_expired_throttles(session, settings)
    assert ratelimit.count(session, "moderation-check:1", limit) is not None  # the two-hour window survived
