"""Account pages: the recovery codes survive a reload and a language switch, and can be printed or downloaded."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import RecoveryCode
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


def test_kept_codes_are_bound_to_the_session(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    codes = _sign_up(client, "Prudente")
    kept = client.cookies.get("tk_show_codes")
    assert kept
    with TestClient(app, base_url="http://testserver") as other:
        make_other = other.cookies
        make_other.set("tk_show_codes", kept)
        assert "tk_session" not in make_other
        page = other.get("/fr/account/recovery-codes", follow_redirects=False)
        assert page.status_code == 303  # not logged in: the codes are not shown
    client.cookies.set("tk_show_codes", kept[:-2] + "00")  # tampered with
    assert not any(code in client.get("/fr/account/recovery-codes").text for code in codes)


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
