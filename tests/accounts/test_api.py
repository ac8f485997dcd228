from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
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


def test_taken_pseudonym_is_409_case_insensitively(client: TestClient, session: Session) -> None:
    make_user(session, "Marie")
    session.commit()
    response = client.post("/api/v1/accounts", json={"pseudonym": "marie", "password": PASSWORD})
    assert response.status_code == 409


def test_confusable_pseudonym_is_refused(client: TestClient, session: Session) -> None:
    make_user(session, "Marie")
    session.commit()
    # Cyrillic "а" in place of the Latin "a"
    response = client.post("/api/v1/accounts", json={"pseudonym": "M\u0430rie", "password": PASSWORD})
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
    assert token
    assert client.get("/api/v1/me").json()["pseudonym"] == "Hibou"
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 204
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


def test_login_requires_json(client: TestClient, session: Session) -> None:
    make_user(session, "Chouette")
    session.commit()
    response = client.post("/api/v1/session", data={"pseudonym": "Chouette", "password": PASSWORD})
    assert response.status_code == 422


def test_cross_site_json_post_is_refused(client: TestClient, session: Session) -> None:
    make_user(session, "Mouette")
    session.commit()
    response = client.post("/api/v1/session", json={"pseudonym": "Mouette", "password": PASSWORD},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
