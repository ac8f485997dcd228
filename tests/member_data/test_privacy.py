"""The privacy page says what is stored and for how long, from the settings in force, in fr, nl and en."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.member_data import privacy


@pytest.mark.parametrize(("lang", "words"), [("fr", "30 jours"), ("nl", "30 dagen"), ("en", "30 days")])
def test_the_privacy_page_in_each_language(client: TestClient, lang: str, words: str) -> None:
    page = client.get(f"/{lang}/privacy")
    assert page.status_code == 200 and f'<html lang="{lang}"' in page.text
    assert words in page.text  # the sessions' period, from settings.session_days
    assert page.text.count("<tr>") == len(privacy.rows(client.app.state.settings)) + 1  # type: ignore[attr-defined]
    assert 'href="/' + lang + '/privacy"' in client.get(f"/{lang}/").text  # linked from every page's footer


def test_the_periods_follow_the_settings(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.session_days = 12
    app.state.settings.rate_limits.searches_seconds = 3 * 86400
    page = client.get("/en/privacy").text
    assert "12 days after it was last used" in page and "At most 72 hours" in page


@pytest.mark.parametrize(("lang", "words"), [("fr", "cookie d'appareil"), ("nl", "apparaatcookie"),
                                             ("en", "device cookie")])
def test_the_device_cookie_is_listed_with_its_period(app, client: TestClient, lang: str, words: str) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.throttle.device_cookie_days = 90
    page = client.get(f"/{lang}/privacy").text.replace("&#39;", "'").replace("’", "'")
    assert words in page.lower() and "90 " in page


@pytest.mark.parametrize(("lang", "words"), [("fr", "24 heures"), ("nl", "24 uur"), ("en", "24 hours")])
def test_the_answers_kept_for_retries_are_listed(client: TestClient, lang: str, words: str) -> None:
    page = client.get(f"/{lang}/privacy").text
    assert "Idempotency-Key" in page and words in page
