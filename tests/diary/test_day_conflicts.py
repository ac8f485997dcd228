"""A diary day never overwrites another: moving onto or adding a taken date is refused, nothing lost (finding 1);
a failed-CSRF day form shows what was typed, never re-arms the request (finding 2); the "change pace" preview
shows what saving keeps (finding 7)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.diary.models import Entry, TaperPlan
from app.security import csrf_token_for
from tests.diary.helpers import TODAY, days_ago, form_token, log
from tests.factories import html_login, logged_in_member, make_user

TAKEN = {
    "fr": ("Vous avez déjà une entrée pour le", "entrée du"),
    "nl": ("staat er al een dag in je dagboek", "De dag "),
}


def _days(session: Session, user_id: int) -> dict[dt.date, tuple[str, int | None, float | None]]:
    session.expire_all()
    entries = session.scalars(select(Entry).where(Entry.user_id == user_id))
    return {e.day: (e.note, e.mood, e.diazepam_mg) for e in entries}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_moving_a_day_onto_a_day_that_has_an_entry_is_refused_and_both_kept(
        client: TestClient, session: Session, lang: str) -> None:
    user = make_user(session, f"Deplace_{lang}")
    log(session, user, days_ago(1), drug="alprazolam", dose=0.75, note="Note du 29, précieuse", mood=2)
    log(session, user, TODAY, note="aujourd'hui")
    session.commit()
    before = _days(session, user.id)
    html_login(client, f"Deplace_{lang}")
    token = form_token(client, f"/{lang}/diary/entries/{TODAY.isoformat()}/edit")
    response = client.post(f"/{lang}/diary/entries", data={
        "csrf_token": token, "day": days_ago(1).isoformat(), "original_day": TODAY.isoformat(),
        "drug_0": "Lormetazepam EG", "dose_0": "1,5", "mood": "4", "note": "ce que je viens d'écrire"})
    assert response.status_code == 409
    assert _days(session, user.id) == before  # neither day lost nor changed
    message, link = TAKEN[lang]
    assert message in response.text and link in response.text
    assert 'class="notice error-summary"' in response.text and 'href="#day"' in response.text
    assert 'id="day-error"' in response.text and 'aria-invalid="true"' in response.text
    assert f'href="/{lang}/diary/entries/{days_ago(1).isoformat()}/edit"' in response.text
    # Everything typed is kept, the edited day still the one being edited.
    assert "ce que je viens d&#39;écrire" in response.text and 'value="1,5"' in response.text
    assert f'name="original_day" value="{TODAY.isoformat()}"' in response.text


def test_moving_a_day_onto_a_free_date_still_moves_it(client: TestClient, session: Session) -> None:
    user = make_user(session, "Deplace_libre")
    log(session, user, days_ago(3), note="à déplacer")
    session.commit()
    html_login(client, "Deplace_libre")
    token = form_token(client, f"/fr/diary/entries/{days_ago(3).isoformat()}/edit")
    moved = client.post("/fr/diary/entries", data={"csrf_token": token, "day": days_ago(2).isoformat(),
                                                   "original_day": days_ago(3).isoformat(), "note": "à déplacer"},
                        follow_redirects=False)
    assert moved.status_code == 303
    assert list(_days(session, user.id)) == [days_ago(2)]


def test_a_new_day_on_a_date_that_has_an_entry_is_refused(client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "Deux_onglets")
    token = form_token(client, "/en/diary/entries/new")
    client.post("/en/diary/entries", data={"csrf_token": token, "day": TODAY.isoformat(), "note": "morning",
                                           "mood": "3"})
    again = client.post("/en/diary/entries", data={"csrf_token": token, "day": TODAY.isoformat(), "note": "evening"})
    assert again.status_code == 409 and "You already have an entry for" in again.text and "evening" in again.text
    assert _days(session, user.id) == {TODAY: ("morning", 3, None)}


def test_add_a_day_when_today_is_noted_opens_a_new_form_for_an_earlier_day(
        client: TestClient, session: Session) -> None:
    user = make_user(session, "Claire_fr")
    log(session, user, TODAY, note="le 30")
    log(session, user, days_ago(1), note="le 29")
    session.commit()
    html_login(client, "Claire_fr")
    page = client.get("/fr/diary/entries/new")
    assert page.status_code == 200
    assert 'name="original_day"' not in page.text and "le 30" not in page.text  # not today's entry
    assert f'name="day" type="date" required max="{TODAY.isoformat()}" value="{days_ago(2).isoformat()}"' in page.text
    assert "Vous avez déjà une entrée pour aujourd" in page.text
    assert f'href="/fr/diary/entries/{TODAY.isoformat()}/edit"' in page.text
    nl = client.get("/nl/diary/entries/new")
    assert "Vandaag staat al in je dagboek" in nl.text
    # Back-filling another day adds it; today's entry stays.
    saved = client.post("/fr/diary/entries", data={"csrf_token": form_token(client, "/fr/diary/entries/new"),
                                                   "day": days_ago(20).isoformat(), "note": "le 10"},
                        follow_redirects=False)
    assert saved.status_code == 303 and "notice=saved" in saved.headers["location"]
    assert set(_days(session, user.id)) == {TODAY, days_ago(1), days_ago(20)}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_day_form_that_failed_the_csrf_check_shows_the_text_and_never_resends_it(
        client: TestClient, session: Session, lang: str) -> None:
    user = logged_in_member(client, session, f"Csrf_{lang}")
    label = {"fr": "Note envoyée", "nl": "Verstuurde notitie"}[lang]
    # A token this server issued, for another cookie (a stale tab, or another site's own session).
    stale = csrf_token_for(b"test-secret-" + b"x" * 32, "the-cookie-of-another-tab")
    response = client.post(f"/{lang}/diary/entries", headers={"Sec-Fetch-Site": "same-origin"}, data={
        "csrf_token": stale, "day": days_ago(9).isoformat(), "original_day": TODAY.isoformat(),
        "drug_0": "alprazolam", "dose_0": "0,5", "note": "Notitie van vandaag"})
    assert response.status_code == 403
    html = response.text
    # Shown to copy, read-only, under labels of their own.
    assert re.search(r'<textarea id="kept-\d+"[^>]*readonly[^>]*>Notitie van vandaag</textarea>', html)
    assert re.search(r'<textarea id="kept-\d+"[^>]*readonly[^>]*>alprazolam 0,5</textarea>', html)
    assert f">{label}</label>" in html
    assert f'href="/{lang}/diary/entries/new"' in html  # open the form again
    # Nothing that could send it: no form to the diary, no hidden field, no token for it.
    assert f'action="/{lang}/diary/entries"' not in html
    assert 'type="hidden" name="original_day"' not in html and 'name="note"' not in html
    assert 'name="day"' not in html and 'name="drug_0"' not in html
    for form in re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S):
        assert "diary" not in form and 'name="carry"' not in form
    assert session.scalar(select(Entry).where(Entry.user_id == user.id)) is None


def test_change_pace_preview_shows_the_kept_pause_and_the_plans_own_start(
        client: TestClient, session: Session) -> None:
    user = logged_in_member(client, session, "JanNL")
    start = TODAY + dt.timedelta(days=1)
    token = form_token(client, "/nl/diary/plan/new")
    form = {"csrf_token": token, "drug": "Xanax", "start_dose_mg": "1,5", "mode": "percent",
            "reduction_percent": "10", "interval_days": "14", "start_date": start.isoformat()}
    assert client.post("/nl/diary/plan/new", data={**form, "action": "save"}).status_code in (200, 303)
    client.post("/nl/diary/plan/hold", data={"csrf_token": token, "step_index": "2", "days": "7"})
    session.expire_all()
    held = session.scalar(select(TaperPlan).where(TaperPlan.user_id == user.id, TaperPlan.superseded_at.is_(None)))
    assert held is not None and held.holds
    # The form starts from the plan's own start date, not today.
    page = client.get("/nl/diary/plan/new")
    assert f'value="{start.isoformat()}"' in page.text
    preview = client.post("/nl/diary/plan/new", data={**form, "action": "preview"})
    assert preview.status_code == 200
    end = held.steps[-1]["date"]
    from app.i18n import format_date
    assert format_date(dt.date.fromisoformat(end), "nl") in preview.text  # the end the member keeps
    assert "met je pauzes" in preview.text
