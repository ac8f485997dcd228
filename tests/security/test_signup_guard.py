"""Sign-up without e-mail or captcha: a honeypot and a time check, with a clear message and the pseudonym kept."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import signup_guard
from app.accounts.models import User
from tests.factories import PASSWORD, csrf_from, make_user

SHOWN = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(app, monkeypatch: pytest.MonkeyPatch) -> Clock:  # type: ignore[no-untyped-def]
    app.state.settings.throttle.signup_min_seconds = 3
    clock = Clock(SHOWN)
    monkeypatch.setattr(signup_guard, "utcnow", clock)
    return clock


def _form(client: TestClient, lang: str = "fr") -> dict[str, str]:
    page = client.get(f"/{lang}/account/signup").text
    shown = re.search(r'name="form_shown" value="([^"]+)"', page)
    assert shown and 'name="website"' in page and 'aria-hidden="true"' in page
    return {"csrf_token": csrf_from(page), "form_shown": shown.group(1), "pseudonym": "Prudence",
            "password": PASSWORD, "password_confirm": PASSWORD, "website": ""}


def _members(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


def test_a_sign_up_sent_at_once_is_refused_and_the_pseudonym_kept(client: TestClient, session: Session,
                                                                     clock: Clock) -> None:
    form = _form(client, "nl")
    clock.now = SHOWN + dt.timedelta(seconds=1)
    refused = client.post("/nl/account/signup", data=form, follow_redirects=False)
    assert refused.status_code == 422 and "snel" in refused.text and 'value="Prudence"' in refused.text
    assert "Niets is verloren" in refused.text
    assert _members(session) == 0
    again = _form(client, "nl")
    clock.now = SHOWN + dt.timedelta(seconds=8)
    made = client.post("/nl/account/signup", data=again, follow_redirects=False)
    assert made.status_code == 303 and _members(session) == 1


def test_too_fast_keeps_everything_and_the_same_form_goes_through_when_sent_again(
        client: TestClient, session: Session, clock: Clock) -> None:
    form = _form(client, "fr")
    clock.now = SHOWN + dt.timedelta(seconds=1)  # a password manager filled the form at once
    refused = client.post("/fr/account/signup", data=form, follow_redirects=False)
    assert refused.status_code == 422 and refused.headers["cache-control"] == "no-store"
    notice = re.search(r'<p class="notice" role="alert" id="form-error"[^>]*>(.*?)</p>', refused.text, re.S)
    said = html.unescape(notice.group(1)) if notice else ""
    assert "rien n'est perdu" in said.lower()  # said plainly, in the member's language
    assert "Créer mon compte" in said  # ... and what to do
    assert 'value="Prudence"' in refused.text
    assert refused.text.count(f'value="{PASSWORD}"') == 2  # both password fields, from this very request
    assert 'aria-invalid="true"' not in refused.text  # no field is wrong
    # Sending the refilled form again at once (a few seconds later) creates the account.
    again = {**form, "csrf_token": csrf_from(refused.text),
             "form_shown": re.search(r'name="form_shown" value="([^"]+)"', refused.text).group(1)}  # type: ignore[union-attr]
    clock.now = SHOWN + dt.timedelta(seconds=4)
    assert client.post("/fr/account/signup", data=again, follow_redirects=False).status_code == 303
    assert _members(session) == 1


def test_passwords_come_back_only_when_the_refusal_is_not_about_them(client: TestClient, session: Session,
                                                                      clock: Clock) -> None:
    form = _form(client, "nl")
    clock.now = SHOWN + dt.timedelta(seconds=30)
    mismatch = client.post("/nl/account/signup", data={**form, "password_confirm": PASSWORD + "x"})
    assert mismatch.status_code == 422 and PASSWORD not in mismatch.text
    reserved = client.post("/nl/account/signup", data={**form, "pseudonym": "x"})  # a pseudonym error
    assert reserved.status_code == 422 and reserved.text.count(f'value="{PASSWORD}"') == 2
    trap = client.post("/nl/account/signup", data={**form, "website": "https://spam.example"})
    assert trap.status_code == 422 and PASSWORD not in trap.text
    forged = client.post("/nl/account/signup", data={**form, "form_shown": "123.abc"})
    assert forged.status_code == 422 and PASSWORD not in forged.text and 'value="Prudence"' in forged.text
    assert _members(session) == 0


def test_a_forged_or_missing_stamp_is_refused(client: TestClient, session: Session, clock: Clock) -> None:
    form = _form(client)
    clock.now = SHOWN + dt.timedelta(seconds=30)
    earlier = str(int((SHOWN - dt.timedelta(hours=1)).timestamp()))
    forged = {**form, "form_shown": earlier + "." + form["form_shown"].split(".", 1)[1]}
    assert client.post("/fr/account/signup", data=forged).status_code == 422
    assert client.post("/fr/account/signup", data={**form, "form_shown": ""}).status_code == 422
    assert _members(session) == 0


def test_a_filled_honeypot_creates_nothing(client: TestClient, session: Session, clock: Clock) -> None:
    form = _form(client, "en")
    clock.now = SHOWN + dt.timedelta(seconds=30)
    refused = client.post("/en/account/signup", data={**form, "website": "https://spam.example"})
    assert refused.status_code == 422 and "leave empty" in refused.text and _members(session) == 0


# --- the JSON API: the same honeypot and time check (issue 9: it had only the per-client limit) ---

def _api_token(client: TestClient) -> dict[str, object]:
    form = client.get("/api/v1/accounts/form-token")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    body = form.json()
    assert body["honeypot"] == "website" and body["send_after_seconds"] == 3
    return body


def _api_sign_up(client: TestClient, **extra: object) -> Response:
    return client.post("/api/v1/accounts", json={"pseudonym": "Prudence", "password": PASSWORD, **extra},
                       headers={"Accept-Language": "en"})


def test_the_api_sign_up_needs_a_form_token_sent_after_the_time_check(client: TestClient, session: Session,
                                                                        clock: Clock) -> None:
    missing = _api_sign_up(client)
    assert missing.status_code == 422 and missing.json()["field"] == "form_token"
    assert "/api/v1/accounts/form-token" in missing.json()["detail"]
    token = _api_token(client)["form_token"]
    clock.now = SHOWN + dt.timedelta(seconds=1)
    too_fast = _api_sign_up(client, form_token=token)
    assert too_fast.status_code == 422 and too_fast.json()["field"] == "form_token"
    assert _members(session) == 0
    clock.now = SHOWN + dt.timedelta(seconds=8)
    made = _api_sign_up(client, form_token=token, website="")
    assert made.status_code == 201 and len(made.json()["recovery_codes"]) == 10  # the contract's fields
    assert _members(session) == 1


def test_the_api_refuses_forged_and_stale_tokens(client: TestClient, session: Session, clock: Clock) -> None:
    token = str(_api_token(client)["form_token"])
    clock.now = SHOWN + dt.timedelta(seconds=30)
    earlier = str(int((SHOWN - dt.timedelta(hours=1)).timestamp()))
    forged = _api_sign_up(client, form_token=earlier + "." + token.split(".", 1)[1])
    assert forged.status_code == 422 and forged.json()["field"] == "form_token"
    clock.now = SHOWN + dt.timedelta(seconds=signup_guard.MAX_AGE_SECONDS + 1)
    stale = _api_sign_up(client, form_token=token)
    assert stale.status_code == 422 and "more than a day old" in stale.json()["detail"]
    assert _members(session) == 0


def test_the_api_honeypot_refuses_in_the_members_language(client: TestClient, session: Session,
                                                          clock: Clock) -> None:
    token = _api_token(client)["form_token"]
    clock.now = SHOWN + dt.timedelta(seconds=30)
    trapped = client.post("/api/v1/accounts", headers={"Accept-Language": "nl"}, json={
        "pseudonym": "Prudence", "password": PASSWORD, "form_token": token, "website": "https://spam.example"})
    assert trapped.status_code == 422 and trapped.json()["field"] == "website"
    assert "website" in trapped.json()["detail"] and "leeg" in trapped.json()["detail"]
    assert _members(session) == 0


def test_the_api_sign_up_checks_are_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/accounts/form-token" in schema["paths"]
    fields = schema["components"]["schemas"]["AccountCreate"]["properties"]
    assert {"pseudonym", "password", "locale", "form_token", "website"} <= set(fields)
    assert "form-token" in fields["form_token"]["description"] and "Honeypot" in fields["website"]["description"]
    assert set(schema["components"]["schemas"]["AccountCreate"]["required"]) == {"pseudonym", "password"}


def test_one_form_makes_one_account(client: TestClient, session: Session, clock: Clock) -> None:
    # QA: the same form (its stamp) was sent again and again, five accounts and more.
    form = _form(client, "fr")
    clock.now = SHOWN + dt.timedelta(seconds=8)
    assert client.post("/fr/account/signup", data=form, follow_redirects=False).status_code == 303
    client.cookies.clear()
    page = client.get("/fr/account/signup").text
    again = {**form, "pseudonym": "Prudence2", "csrf_token": csrf_from(page)}
    refused = client.post("/fr/account/signup", data=again, follow_redirects=False)
    assert refused.status_code == 422 and 'value="Prudence2"' in refused.text
    assert _members(session) == 1


def test_a_refused_sign_up_keeps_its_form_usable(client: TestClient, session: Session, clock: Clock) -> None:
    make_user(session, "Prudence")
    session.commit()
    form = _form(client, "fr")
    clock.now = SHOWN + dt.timedelta(seconds=8)
    taken = client.post("/fr/account/signup", data=form, follow_redirects=False)
    assert taken.status_code in (409, 422) and _members(session) == 1  # the name is taken: the stamp is not spent
    made = client.post("/fr/account/signup", data={**form, "pseudonym": "Prudence4"}, follow_redirects=False)
    assert made.status_code == 303 and _members(session) == 2


def test_the_api_token_makes_one_account(client: TestClient, session: Session, clock: Clock) -> None:
    token = _api_token(client)["form_token"]
    clock.now = SHOWN + dt.timedelta(seconds=8)
    assert _api_sign_up(client, form_token=token).status_code == 201
    client.cookies.clear()
    reused = client.post("/api/v1/accounts", json={"pseudonym": "Prudence2", "password": PASSWORD,
                                                   "form_token": token}, headers={"Accept-Language": "en"})
    assert reused.status_code == 422 and reused.json()["field"] == "form_token"
    assert "already used" in reused.json()["detail"] and _members(session) == 1
    fresh = _api_token(client)["form_token"]
    clock.now = SHOWN + dt.timedelta(seconds=20)
    taken = client.post("/api/v1/accounts", json={"pseudonym": "Prudence", "password": PASSWORD,
                                                  "form_token": fresh}, headers={"Accept-Language": "en"})
    assert taken.status_code == 409  # refused: the token is not spent ...
    made = client.post("/api/v1/accounts", json={"pseudonym": "Prudence3", "password": PASSWORD,
                                                 "form_token": fresh}, headers={"Accept-Language": "en"})
    assert made.status_code == 201 and _members(session) == 2  # ... and makes the next account
