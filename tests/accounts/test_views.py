"""Account pages: the recovery codes are shown once (with a grace for a reload, a language switch, a print or a
download), kept sealed server-side in between, never in a cookie."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import reveal
from app.accounts.models import RecoveryCode, Reveal
from app.accounts.service import issue_recovery_codes
from tests.factories import PASSWORD, csrf_from, html_login, logged_in_member, make_user


def _sign_up(client: TestClient, name: str = "Nouvelle") -> list[str]:
    token = csrf_from(client.get("/fr/account/signup").text)
    response = client.post("/fr/account/signup", data={"csrf_token": token, "pseudonym": name, "password": PASSWORD,
                                                       "password_confirm": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/fr/account/recovery-codes"
    page = client.get("/fr/account/recovery-codes")
    assert page.headers["cache-control"] == "no-store"
    return re.findall(r"<li><code>([^<]+)</code></li>", page.text)


def test_codes_after_sign_up_survive_reload_language_and_download(client: TestClient) -> None:
    codes = _sign_up(client)
    assert len(codes) == 10
    again = client.get("/fr/account/recovery-codes").text
    assert re.findall(r"<li><code>([^<]+)</code></li>", again) == codes
    assert "Nouvelle" in again and 'href="/fr/account/login"' not in again  # the header knows the member
    assert all(code in client.get("/nl/account/recovery-codes").text for code in codes)
    download = client.get("/fr/account/recovery-codes.txt")
    assert download.headers["content-disposition"].startswith("attachment")
    assert all(code in download.text for code in codes)
    token = csrf_from(again)
    client.post("/fr/account/recovery-codes/kept", data={"csrf_token": token})
    gone = client.get("/fr/account/recovery-codes").text
    assert not any(code in gone for code in codes)


def _readable(value: str) -> str:
    """A cookie value as whoever copies the browser's cookie jar can read it (base64 segments decoded too)."""
    parts = [value]
    for piece in re.split(r"[.|]", value):
        with contextlib.suppress(ValueError):
            parts.append(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)).decode("utf-8", "replace"))
    return " ".join(parts)


def test_no_cookie_carries_the_codes_and_the_database_keeps_them_sealed(client: TestClient,
                                                                          session: Session) -> None:
    """Issue 9: the codes rode in a signed but readable cookie for 30 minutes."""
    codes = _sign_up(client, "Prudente")
    jar = " ".join(_readable(cookie.value or "") for cookie in client.cookies.jar)
    assert not any(code in jar or code.replace("-", "") in jar for code in codes)
    sealed = session.scalars(select(Reveal.sealed)).all()
    assert len(sealed) == 1
    assert not any(code.encode() in sealed[0] or code.replace("-", "").encode() in sealed[0] for code in codes)


def test_kept_codes_are_bound_to_the_session(client: TestClient, session: Session, app) -> None:  # type: ignore[no-untyped-def]
    codes = _sign_up(client, "Prudente")
    with TestClient(app, base_url="http://testserver") as other:  # the same member, another browser
        html_login(other, "Prudente")
        page = other.get("/fr/account/recovery-codes").text
        assert not any(code in page for code in codes)
    assert all(code in client.get("/fr/account/recovery-codes").text for code in codes)
    # Logging out deletes them with the session.
    token = csrf_from(client.get("/fr/account").text)
    client.post("/fr/account/logout", data={"csrf_token": token})
    assert session.scalar(select(func.count(Reveal.id))) == 0


def test_codes_are_shown_once_with_a_short_grace(client: TestClient, session: Session,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative who opens the browser later finds nothing: the page shows the codes once, then a grace."""
    codes = _sign_up(client, "Passante")  # the first display
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reveal.GRACE_SECONDS + 5)
    monkeypatch.setattr(reveal, "utcnow", lambda: later)
    page = client.get("/fr/account/recovery-codes").text
    assert not any(code in page for code in codes) and "plus lisibles ici" in page
    download = client.get("/fr/account/recovery-codes.txt", follow_redirects=False)
    assert download.status_code == 303
    assert reveal.purge_expired(session) == 1


def test_codes_never_shown_expire(client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    token = csrf_from(client.get("/fr/account/signup").text)
    made = client.post("/fr/account/signup", data={"csrf_token": token, "pseudonym": "Distraite", "password": PASSWORD,
                                                   "password_confirm": PASSWORD}, follow_redirects=False)
    assert made.status_code == 303
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reveal.UNSHOWN_SECONDS + 5)
    monkeypatch.setattr(reveal, "utcnow", lambda: later)
    assert "<li><code>" not in client.get("/fr/account/recovery-codes").text


def test_new_codes_from_the_settings_page(client: TestClient, session: Session) -> None:
    make_user(session, "Ancienne")
    session.commit()
    html_login(client, "Ancienne")
    token = csrf_from(client.get("/fr/account").text)
    response = client.post("/fr/account/recovery-codes", data={"csrf_token": token, "codes_password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert len(re.findall(r"<li><code>", page)) == 10 and "ne fonctionnent plus" in page


def test_new_recovery_codes_need_the_password(client: TestClient, session: Session) -> None:
    """Issue 9, item 8: a logged-in browser alone could replace the codes (and so take the account for good)."""
    member = logged_in_member(client, session, "Codes")
    issue_recovery_codes(session, client.app.state.settings, member)  # type: ignore[attr-defined]
    session.commit()
    page = client.get("/fr/account")
    assert 'name="codes_password"' in page.text
    token = csrf_from(page.text)
    before = set(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == member.id)))
    refused = client.post("/fr/account/recovery-codes", data={"csrf_token": token, "codes_password": "not it at all"})
    assert refused.status_code == 422
    assert set(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == member.id))) == before
    made = client.post("/fr/account/recovery-codes", data={"csrf_token": token, "codes_password": PASSWORD})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    after = set(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == member.id)))
    assert len(before) == len(after) == 10 and not after & before


def test_logging_out_says_so_in_the_members_language(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Vertrek", lang="nl", locale="nl")
    token = csrf_from(client.get("/nl/").text)
    out = client.post("/nl/account/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/nl/?notice=logged_out"
    home = client.get(out.headers["location"])
    notice = re.search(r'<p class="notice" role="status" id="logged-out">(.*?)</p>', home.text)
    assert notice and "uitgelogd" in notice.group(1)
    assert 'href="/nl/account/login"' in home.text  # the header is a visitor's again
    assert "logged-out" not in client.get("/nl/").text  # once, not on every page


def test_the_header_names_the_account_link(client: TestClient, session: Session) -> None:
    logged_in_member(client, session, "Anna_Namur")
    page = client.get("/fr/").text
    link = re.search(r'<a class="account-link" href="/fr/account"[^>]*>(.*?)</a>', page, re.S)
    assert link, "the account link"
    text = re.sub(r"<[^>]+>", " ", link.group(1))
    assert "Mon compte" in text and "Anna_Namur" in text  # recognisably the account, and whose
    assert '<svg aria-hidden="true"' in link.group(1)  # an icon, hidden from screen readers (the text says it)


def test_logging_out_clears_what_the_browser_kept(client: TestClient, session: Session) -> None:
    """Cached pages and drafts in the browser's storage go at log-out (a shared computer keeps nothing)."""
    logged_in_member(client, session, "Partage")
    token = csrf_from(client.get("/fr/account").text)
    response = client.post("/fr/account/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    assert client.get("/fr/account", follow_redirects=False).status_code == 303  # the session is gone


def test_sign_up_reports_every_problem_at_once_with_a_summary_linking_to_each_field(client: TestClient) -> None:
    token = csrf_from(client.get("/fr/account/signup").text)
    refused = client.post("/fr/account/signup", data={"csrf_token": token, "pseudonym": "x", "password": "court",
                                                      "password_confirm": "autre"})
    assert refused.status_code == 422
    summary = re.search(r'<div class="notice error-summary".*?</div>', refused.text, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(0))
    assert links == ["pseudonym", "password", "password_confirm"]  # the form's order
    for name in links:
        assert f'id="{name}-error"' in refused.text
        assert re.search(rf'<input id="{name}"[^>]*aria-describedby="[^"]*{name}-error"[^>]*aria-invalid="true"',
                         refused.text)
    assert 'value="x"' in refused.text  # the pseudonym is kept
    # The passwords come back empty: the summary says so instead of "nothing you wrote is lost".
    assert "tapez à nouveau votre mot de passe" in summary.group(0) and "perdu" not in summary.group(0)


def test_sign_up_with_a_taken_pseudonym_and_a_weak_password_says_both(client: TestClient, session: Session) -> None:
    make_user(session, "Occupee")
    session.commit()
    token = csrf_from(client.get("/nl/account/signup").text)
    refused = client.post("/nl/account/signup", data={"csrf_token": token, "pseudonym": "Occupee",
                                                      "password": "qzv7", "password_confirm": "qzv7"})
    assert refused.status_code == 422
    assert 'href="#pseudonym"' in refused.text and 'href="#password"' in refused.text
    assert "qzv7" not in refused.text  # a password rule failed: the password is not given back
    alone = client.post("/nl/account/signup", data={"csrf_token": token, "pseudonym": "Occupee",
                                                    "password": PASSWORD, "password_confirm": PASSWORD})
    assert alone.status_code == 409 and alone.text.count(f'value="{PASSWORD}"') == 2


@pytest.mark.parametrize(("lang", "missing_both", "missing_password"), [
    ("fr", "Indiquez votre pseudonyme.", "Indiquez votre mot de passe."),
    ("nl", "Vul je schuilnaam in.", "Vul je wachtwoord in."),
    ("en", "Enter your pseudonym.", "Enter your password."),
])
def test_an_empty_log_in_says_which_fields_are_missing(client: TestClient, lang: str, missing_both: str,
                                                        missing_password: str) -> None:
    token = csrf_from(client.get(f"/{lang}/account/login").text)
    empty = client.post(f"/{lang}/account/login", data={"csrf_token": token, "pseudonym": "", "password": ""})
    assert empty.status_code == 422
    assert missing_both in empty.text and missing_password in empty.text
    assert 'href="#pseudonym"' in empty.text and 'href="#password"' in empty.text
    assert 'id="password-error"' in empty.text and 'aria-invalid="true"' in empty.text
    no_password = client.post(f"/{lang}/account/login", data={"csrf_token": token, "pseudonym": "Quelqu1",
                                                              "password": ""})
    assert no_password.status_code == 422 and missing_password in no_password.text
    assert missing_both not in no_password.text and 'value="Quelqu1"' in no_password.text
