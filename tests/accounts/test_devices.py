"""Device cookies: a stranger's wrong guesses never lock a member out of the browsers they logged in from.

Outside tester: five wrong passwords for a known pseudonym gave 429 for 15
minutes, right password or not, to everyone behind the same address. No address
may be stored: each successful log-in leaves the browser a signed device cookie,
and attempts presenting it have a budget of their own (OWASP).
"""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts import devices, service
from app.accounts.models import DeviceCookie, User
from app.errors import LoginFailed, RateLimited
from app.settings import Settings
from tests.factories import PASSWORD, csrf_from, make_user

WRONG = "not the right one at all"


def _login(client: TestClient, pseudonym: str, password: str = PASSWORD) -> int:
    return client.post("/api/v1/session", json={"pseudonym": pseudonym, "password": password}).status_code


def _set_cookie(response: object, name: str) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if header.startswith(f"{name}="):
            cookie.load(header)
    assert name in cookie, f"no {name} cookie set"
    return cookie


def _browser(app: FastAPI, session: Session, base_url: str = "http://testserver") -> TestClient:
    class Browser(TestClient):
        def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            session.commit()  # the test's transaction would hold SQLite's write lock
            return super().request(*args, **kwargs)
    return Browser(app, base_url=base_url)


def test_a_stranger_cannot_lock_the_owner_out_of_their_browser(app: FastAPI, client: TestClient,
                                                               session: Session, settings: Settings) -> None:
    make_user(session, "Cible")
    session.commit()
    owner, stranger = client, _browser(app, session)
    response = owner.post("/api/v1/session", json={"pseudonym": "Cible", "password": PASSWORD})
    assert response.status_code == 200
    flags = _set_cookie(response, devices.COOKIE)[devices.COOKIE]
    assert flags["httponly"] and flags["samesite"].lower() == "lax" and flags["path"] == "/"
    assert int(flags["max-age"]) == settings.throttle.device_cookie_days * 86400 and not flags["secure"]
    logout = owner.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": response.json()["csrf_token"]})
    assert logout.status_code == 204 and devices.COOKIE not in logout.headers.get("set-cookie", "")
    assert owner.cookies.get(devices.COOKIE)  # logging out keeps it: it is not a session

    # Behind the same address, the stranger's failures lock out every browser without the cookie...
    free = settings.throttle.per_pseudonym
    assert [_login(stranger, "Cible", WRONG) for _ in range(free)] == [401] * free
    assert _login(stranger, "Cible") == 429
    # ... but not the owner's: the right password works at once.
    assert _login(owner, "Cible") == 200


def test_a_device_has_its_own_small_budget(app: FastAPI, client: TestClient, session: Session,
                                           settings: Settings) -> None:
    settings.throttle.per_device = 3
    make_user(session, "Distraite")
    session.commit()
    assert _login(client, "Distraite") == 200
    assert [_login(client, "Distraite", WRONG) for _ in range(3)] == [401] * 3
    limited = client.post("/api/v1/session", json={"pseudonym": "Distraite", "password": PASSWORD})
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= settings.throttle.window_seconds
    # The device's failures counted against it alone: a browser without it is not held back by them.
    assert _login(_browser(app, session), "Distraite") == 200


def test_a_forged_or_someone_elses_device_cookie_counts_for_nothing(app: FastAPI, client: TestClient,
                                                                    session: Session, settings: Settings) -> None:
    make_user(session, "Cible")
    make_user(session, "Autre")
    session.commit()
    assert _login(client, "Autre") == 200  # this browser holds a device cookie for "Autre" only
    cookie = client.cookies.get(devices.COOKIE)
    assert cookie
    free = settings.throttle.per_pseudonym
    assert [_login(client, "Cible", WRONG) for _ in range(free)] == [401] * free
    assert _login(client, "Cible") == 429  # the cookie is not Cible's: the account-wide throttle applies
    forged = _browser(app, session)
    nonce = cookie.split("~")[0].split(".")[0]
    for value in (f"{nonce}.{'0' * 43}", f"{nonce}x.{cookie.split('.')[1]}", "garbage", "~~~"):
        forged.cookies.set(devices.COOKIE, value)
        assert _login(forged, "Cible") == 429


def test_one_browser_keeps_the_cookies_of_a_few_members(client: TestClient, session: Session) -> None:
    for name in ("Mere", "Fille", "Tante", "Oncle"):
        make_user(session, name)
    session.commit()
    for name in ("Mere", "Fille", "Mere", "Tante", "Oncle"):
        assert _login(client, name) == 200
    tokens = client.cookies[devices.COOKIE].split("~")
    assert len(tokens) == devices.MAX_TOKENS  # the newest three members
    presented = devices.read(session, client.app.state.settings, client.cookies[devices.COOKIE])  # type: ignore[attr-defined]
    owners = {session.get(User, user_id).pseudonym for user_id in presented.owners.values()}  # type: ignore[union-attr]
    assert owners == {"Oncle", "Tante", "Mere"}
    # A new log-in replaces the member's earlier cookie: one row per member and browser.
    mere = session.scalar(select(User).where(User.pseudonym == "Mere"))
    assert session.scalar(select(func.count(DeviceCookie.id)).where(DeviceCookie.user_id == mere.id)) == 1  # type: ignore[union-attr]


def test_the_html_log_in_sets_it_secure_over_https(app: FastAPI, session: Session) -> None:
    make_user(session, "Prudente")
    session.commit()
    browser = _browser(app, session, base_url="https://testserver")
    token = csrf_from(browser.get("/fr/account/login").text)
    response = browser.post("/fr/account/login", data={"pseudonym": "Prudente", "password": PASSWORD,
                                                       "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    flags = _set_cookie(response, devices.COOKIE)[devices.COOKIE]
    assert flags["secure"] and flags["httponly"] and flags["samesite"].lower() == "lax"
    logout = browser.post("/fr/account/logout", data={"csrf_token": csrf_from(browser.get("/fr/account").text)},
                          follow_redirects=False)
    assert logout.status_code == 303 and f"{devices.COOKIE}=" not in logout.headers.get("set-cookie", "")


def test_expired_and_erased_device_cookies_no_longer_count(session: Session, settings: Settings) -> None:
    user = make_user(session, "Cible")
    cookie = service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD,
                                  client_key="home").device_cookie
    for _ in range(settings.throttle.per_pseudonym):  # strangers, from the same address
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym="Cible", password=WRONG, client_key="home")
    rotated = service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="home",
                                   device_cookie=cookie).device_cookie
    with pytest.raises(RateLimited):  # each log-in replaces the cookie: the one it replaced is spent
        service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="home",
                             device_cookie=cookie)
    cookie = rotated
    assert service.export_account(session, user=user)["device_cookies"]  # in the member's data download
    session.execute(update(DeviceCookie).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    with pytest.raises(RateLimited):  # expired: the account-wide throttle applies again
        service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="home",
                             device_cookie=cookie)
    assert devices.purge_expired(session) == 1
    # Erasing the account deletes its device cookies with it.
    fresh = service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="elsewhere")
    assert devices.read(session, settings, fresh.device_cookie).owners
    service.delete_account(session, user=user)
    session.flush()
    assert session.scalar(select(func.count(DeviceCookie.id))) == 0
    assert not devices.read(session, settings, fresh.device_cookie).owners


def test_the_owner_undoes_an_erasure_from_their_browser_despite_strangers(session: Session,
                                                                          settings: Settings) -> None:
    """During the grace period the device cookie still works: the owner can always log in to cancel."""
    user = make_user(session, "Cible")
    cookie = service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD,
                                  client_key="home").device_cookie
    service.schedule_erasure(session, user=user, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7), keep_posts=True)
    for _ in range(settings.throttle.per_pseudonym):
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym="Cible", password=WRONG, client_key="home")
    login = service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="home",
                                 device_cookie=cookie)
    assert login.erasure_cancelled and user.erase_at is None


def test_members_see_and_forget_the_browsers_that_remember_them(app: FastAPI, client: TestClient,
                                                                 session: Session) -> None:
    """The account's list of browsers: first and last log-in, this browser marked, forget one or all."""
    from tests.factories import html_login

    make_user(session, "Cible")
    other_member = make_user(session, "Voisine")
    session.commit()
    laptop, phone = client, _browser(app, session)
    html_login(laptop, "Cible")
    first = session.scalar(select(DeviceCookie.created_at).where(DeviceCookie.nonce_hash.is_not(None)))
    html_login(phone, "Cible")
    html_login(laptop, "Cible")  # a second log-in here renews the token, keeps the first log-in's date
    session.expire_all()
    rows = list(session.scalars(select(DeviceCookie).order_by(DeviceCookie.last_used_at)))
    assert len(rows) == 2 and rows[-1].created_at == first and rows[-1].last_used_at > first
    phone_row = rows[0].id
    html_login(_browser(app, session), "Voisine")
    session.expire_all()
    theirs = session.scalar(select(DeviceCookie.id).where(DeviceCookie.user_id == other_member.id))

    page = laptop.get("/fr/account/devices")
    assert page.status_code == 200 and page.text.count('action="/fr/account/devices/') == 3  # 2 + "forget all"
    assert "(ce navigateur)" in page.text
    token = csrf_from(page.text)
    # Another member's browser: answered as one already forgotten (as an id nobody has), and nothing changes.
    for unknown in (theirs, theirs + 1000):
        answer = laptop.post(f"/fr/account/devices/{unknown}/forget", data={"csrf_token": token})
        assert answer.status_code == 200 and "Ce navigateur était déjà oublié." in answer.text
        assert answer.text.count('action="/fr/account/devices/') == 3
    refused = laptop.post(f"/fr/account/devices/{phone_row}/forget", data={})
    assert refused.status_code in (400, 403)
    session.expire_all()
    assert session.get(DeviceCookie, phone_row) is not None  # nothing forgotten without the form's token
    done = laptop.post(f"/fr/account/devices/{phone_row}/forget", data={"csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    assert session.get(DeviceCookie, phone_row) is None and session.get(DeviceCookie, theirs) is not None
    again = laptop.post(f"/fr/account/devices/{phone_row}/forget", data={"csrf_token": token})  # a double submit
    assert again.status_code == 200 and "Ce navigateur était déjà oublié." in again.text
    assert again.text.count('action="/fr/account/devices/') == 2  # this one + "forget all"
    session.expire_all()
    assert session.get(DeviceCookie, theirs) is not None
    laptop.post("/fr/account/devices/forget-all", data={"csrf_token": token})
    session.expire_all()
    left = select(func.count()).select_from(DeviceCookie).where(DeviceCookie.user_id != other_member.id)
    assert session.scalar(left) == 0
    assert "Aucun navigateur" in laptop.get("/fr/account/devices").text
    assert laptop.get("/fr/account").text.count("/fr/account/devices") == 1
