from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, RecoveryCode, User
from tests.factories import PASSWORD, api_login, make_user


def test_create_account_returns_recovery_codes(client: TestClient, session: Session) -> None:
    response = client.post("/api/v1/accounts", json={"pseudonym": "Lune-42", "password": PASSWORD, "locale": "nl"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["pseudonym"] == "Lune-42"
    assert len(body["recovery_codes"]) == 10
    assert len(set(body["recovery_codes"])) == 10
    user = session.scalar(select(User).where(User.id == body["id"]))
    assert user is not None and user.locale == "nl"
    assert user.password_hash.startswith("$argon2id$")
    stored = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not set(body["recovery_codes"]) & set(stored)  # only hashes are stored


@pytest.mark.parametrize("taken", ["marie", "M\u0430rie"])  # another case; a Cyrillic "а" for the Latin "a"
def test_taken_or_look_alike_pseudonym_is_409(client: TestClient, session: Session, taken: str) -> None:
    make_user(session, "Marie")
    session.commit()
    response = client.post("/api/v1/accounts", json={"pseudonym": taken, "password": PASSWORD})
    assert response.status_code == 409


def test_invalid_input_is_422_with_a_clear_message(client: TestClient) -> None:
    too_short = client.post("/api/v1/accounts", json={"pseudonym": "ab", "password": PASSWORD},
                            headers={"Accept-Language": "nl"})
    assert too_short.status_code == 422
    assert too_short.json()["field"] == "pseudonym"
    assert too_short.json()["detail"]
    common = client.post("/api/v1/accounts", json={"pseudonym": "Someone", "password": "password123"})
    assert common.status_code == 422 and common.json()["field"] == "password"
    missing = client.post("/api/v1/accounts", json={"password": PASSWORD})
    assert missing.status_code == 422 and "pseudonym" in missing.json()["detail"]


def test_reserved_names_are_refused(client: TestClient) -> None:
    for name in ("admin", "Modérateur", "Beheerder", "k.l.a.v.e.r", "Tr\u00e8fle"):
        response = client.post("/api/v1/accounts", json={"pseudonym": name, "password": PASSWORD})
        assert response.status_code == 422, name


def test_session_login_logout(client: TestClient, session: Session) -> None:
    make_user(session, "Hibou")
    session.commit()
    token = api_login(client, "Hibou")
    assert client.get("/api/v1/me").json()["pseudonym"] == "Hibou"
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_logging_in_again_ends_the_previous_session(client: TestClient, session: Session) -> None:
    """ASVS 5.0 V7.2.4: a new token at every log-in, and the one it replaces no longer works."""
    make_user(session, "Hibou")
    session.commit()
    api_login(client, "Hibou")
    first = client.cookies.get("tk_session")
    api_login(client, "Hibou")
    second = client.cookies.get("tk_session")
    assert first and second and first != second
    assert session.scalar(select(func.count(AuthSession.id))) == 1
    client.cookies.set("tk_session", first)
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_401_and_throttled(client: TestClient, session: Session) -> None:
    make_user(session, "Renard")
    session.commit()
    for _ in range(5):
        response = client.post("/api/v1/session", json={"pseudonym": "Renard", "password": "wrong password!"})
        assert response.status_code == 401
    response = client.post("/api/v1/session", json={"pseudonym": "Renard", "password": PASSWORD})
    assert response.status_code == 429
    assert session.scalar(select(AuthSession.id)) is None


def test_login_requires_json_from_this_site(client: TestClient, session: Session) -> None:
    make_user(session, "Chouette")
    session.commit()
    form = client.post("/api/v1/session", data={"pseudonym": "Chouette", "password": PASSWORD})
    assert form.status_code == 422
    cross_site = client.post("/api/v1/session", json={"pseudonym": "Chouette", "password": PASSWORD},
                             headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    # "null" is a sandboxed frame's or a data: page's origin: no proof of this site, and no token to check.
    for path, body in (("/api/v1/session", {"pseudonym": "Chouette", "password": PASSWORD}),
                       ("/api/v1/accounts", {"pseudonym": "Nouvelle", "password": PASSWORD * 2})):
        assert client.post(path, json=body, headers={"Origin": "null"}).status_code == 403, path
    assert client.post("/api/v1/session", json={"pseudonym": "Chouette", "password": PASSWORD},
                       headers={"Origin": "http://testserver"}).status_code == 200


def test_client_throttle_spans_pseudonyms(client: TestClient, session: Session, app) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.throttle.per_client = 3
    make_user(session, "Vrai")
    session.commit()
    for name in ("Faux1", "Faux2", "Faux3"):
        assert client.post("/api/v1/session", json={"pseudonym": name, "password": "wrong wrong"}).status_code == 401
    assert client.post("/api/v1/session", json={"pseudonym": "Vrai", "password": PASSWORD}).status_code == 429


def test_rehash_on_login_when_parameters_change(client: TestClient, session: Session, app) -> None:  # type: ignore[no-untyped-def]
    from app.settings import Argon2Settings

    user = make_user(session, "Ancien")
    session.commit()
    old_hash = user.password_hash
    app.state.settings.argon2 = Argon2Settings(time_cost=2, memory_kib=2048, parallelism=1)
    api_login(client, "Ancien")
    session.refresh(user)
    assert user.password_hash != old_hash and "t=2" in user.password_hash


def test_recovery_code_resets_password_once(client: TestClient) -> None:
    created = client.post("/api/v1/accounts", json={"pseudonym": "Oublie", "password": PASSWORD}).json()
    code = created["recovery_codes"][0]
    page = client.get("/fr/account/recover")
    from tests.factories import csrf_from

    token = csrf_from(page.text)
    new_password = "another fine passphrase 7"
    form = {"pseudonym": "Oublie", "code": code.upper(), "new_password": new_password, "csrf_token": token}
    response = client.post("/fr/account/recover", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert client.post("/api/v1/session", json={"pseudonym": "Oublie", "password": new_password}).status_code == 200
    fresh = csrf_from(client.get("/fr/account/recover").text)  # logging in changed the CSRF binding
    again = client.post("/fr/account/recover", data={**form, "new_password": "yet another passphrase 8",
                                                    "csrf_token": fresh})
    assert again.status_code == 422  # a code works once


def test_sessions_list_and_log_out_everywhere(client: TestClient, session: Session) -> None:
    from fastapi.testclient import TestClient as Plain

    make_user(session, "Nomade")
    session.commit()
    api_login(client, "Nomade")
    other = Plain(client.app, base_url="http://testserver")
    api_login(other, "Nomade")
    assert len(session.scalars(select(AuthSession)).all()) == 2
    page = client.get("/fr/account")
    assert page.status_code == 200
    listed = page.text.split('<ul class="sessions">', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 2  # both devices, this one marked, the other with its own log-out button
    assert listed.count("(cet appareil)") == 1 and listed.count("/close") == 1
    from tests.factories import csrf_from

    client.post("/fr/account/sessions/close-all", data={"csrf_token": csrf_from(page.text)})
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_sign_ups_are_limited_per_client(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.throttle.signups_per_client = 2
    for name in ("Premier", "Second"):
        assert client.post("/api/v1/accounts", json={"pseudonym": name, "password": PASSWORD}).status_code == 201
    assert client.post("/api/v1/accounts", json={"pseudonym": "Troisieme", "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize(("lang", "words"), [("fr", "ne sera pas supprimé"), ("nl", "niet meer verwijderd"),
                                             ("en", "no longer going to be deleted")])
def test_an_api_log_in_during_the_erasure_grace_says_the_deletion_is_cancelled(
        client: TestClient, session: Session, lang: str, words: str) -> None:
    import datetime as dt

    from app.accounts import service

    leaving = make_user(session, "Partante", locale=lang)
    make_user(session, "Restante")
    service.schedule_erasure(session, user=leaving, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7), keep_posts=True)
    session.commit()
    client.headers["Accept-Language"] = lang
    body = client.post("/api/v1/session", json={"pseudonym": "Partante", "password": PASSWORD}).json()
    assert body["erasure_cancelled"] is True and words in body["message"], body
    session.expire_all()
    assert session.get(User, leaving.id).erase_at is None  # type: ignore[union-attr]
    plain = client.post("/api/v1/session", json={"pseudonym": "Restante", "password": PASSWORD}).json()
    assert plain["erasure_cancelled"] is False and plain["message"] == ""
