"""Moderators' and administrators' forms under bad input: a clear 4xx, never a 500 (audit2, issue 9).

The member-facing edge suite (tests/security/test_edges.py) runs as a member; these routes
answer 403 there, so their own parsing was never reached.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.review.models import ModeratorSettings
from tests.factories import csrf_from, html_login, make_user
from tests.review.helpers import moderator


def _token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def test_saving_a_guideline_entry_that_does_not_exist_is_a_404(client: TestClient, session: Session) -> None:
    # The refusal rolled back, then drew the form again, which looked the entry up once more: the
    # second 404's page read a detached viewer and became a 500.
    moderator(session, "Modo")
    session.commit()
    html_login(client, "Modo")
    token = _token(client, "/fr/review/guidelines/fr/new")
    form = {"csrf_token": token, "entry_id": "fr.stigma.no-such-entry", "name": "n", "category": "stigma",
            "severity": "low", "patterns": "zombie*", "explanation": "Une explication.", "reason": "Essai."}
    response = client.post("/fr/review/guidelines/fr", data=form)
    assert response.status_code == 404 and "Modo" in response.text  # the moderator's own header, still there


def test_a_canned_reply_id_that_names_no_row_is_a_404(client: TestClient, session: Session) -> None:
    # "²".isdigit() is true and int("²") raises; 2**63 overflowed SQLite's integer binding.
    moderator(session, "Modo")
    session.commit()
    html_login(client, "Modo")
    token = _token(client, "/fr/review/canned/new")
    form = {"csrf_token": token, "purpose": "welcome", "reply_lang": "fr", "title": "Bienvenue", "body": "Bonjour",
            "active": "1"}
    for reply_id in ("²", "①", str(2**63), str(2**31), "0", "-1"):
        assert client.post("/fr/review/canned", data={**form, "reply_id": reply_id}).status_code == 404, reply_id


def test_a_crisis_pause_of_unicode_digits_is_no_500(client: TestClient, session: Session) -> None:
    modo = moderator(session, "Modo")
    session.commit()
    html_login(client, "Modo")
    token = _token(client, "/fr/review")
    response = client.post("/fr/review/crisis-pause", data={"csrf_token": token, "hours": "²"},
                           follow_redirects=False)
    assert response.status_code == 303  # read as no pause, as any other non-number
    paused = session.scalar(select(ModeratorSettings.crisis_paused_until).where(ModeratorSettings.user_id == modo.id))
    assert paused is None


def test_a_crisis_pause_past_a_week_is_refused_as_bad_input(client: TestClient, session: Session) -> None:
    modo = moderator(session, "Modo")
    session.commit()
    html_login(client, "Modo")
    token = _token(client, "/fr/review")
    response = client.post("/fr/review/crisis-pause", data={"csrf_token": token, "hours": str(7 * 24 + 1)},
                           follow_redirects=False)
    assert response.status_code == 422
    assert "une semaine" in response.text  # the member's language
    paused = session.scalar(select(ModeratorSettings.crisis_paused_until).where(ModeratorSettings.user_id == modo.id))
    assert paused is None


def test_the_audit_log_ignores_dates_at_the_calendars_end(client: TestClient, session: Session) -> None:
    # until=9999-12-31 became "before 10000-01-01": OverflowError, a 500 on the page and the CSV.
    make_user(session, "Admin", role=Role.admin)
    session.commit()
    html_login(client, "Admin")
    for query in ("until=9999-12-31", "since=9999-12-31", "since=0001-01-01&until=0001-01-01"):
        assert client.get(f"/fr/admin/audit?{query}").status_code == 200, query
        assert client.get(f"/fr/admin/audit.csv?{query}").status_code == 200, query
