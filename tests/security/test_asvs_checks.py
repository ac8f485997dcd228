"""Small checks of OWASP ASVS 5.0 Level 2 requirements that no other test shows (docs/security/ASVS-L2.md)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.settings import Settings
from moderation.patterns import compile_pattern
from tests.factories import PASSWORD, make_user


def test_no_cross_origin_grant_for_a_foreign_origin(client: TestClient) -> None:
    """V3.4.2: no Access-Control-Allow-Origin, whatever the Origin; a preflight is not answered either."""
    evil = {"Origin": "https://evil.example"}
    for response in (client.get("/api/v1/categories", headers=evil), client.get("/fr/", headers=evil),
                     client.options("/api/v1/session", headers={**evil, "Access-Control-Request-Method": "POST"})):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers


def test_every_body_says_its_type_and_charset(client: TestClient) -> None:
    """V4.1.1: the Content-Type matches the body, with the charset for text."""
    assert client.get("/fr/").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/fr/nothing-here").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/api/v1/categories").headers["content-type"] == "application/json"
    assert client.get("/api/v1/threads/999999").headers["content-type"] == "application/json"
    assert client.get("/robots.txt").headers["content-type"].startswith("text/plain; charset=utf-8")
    assert client.get("/static/css/site.css").headers["content-type"].startswith("text/css")


def test_no_directory_listing_and_no_hosted_api_console(client: TestClient) -> None:
    """V13.4.3, V13.4.5: static folders are not listed; Swagger and ReDoc pages are off (the schema is the contract)."""
    for path in ("/static/", "/static/js/", "/static/css/", "/docs", "/redoc"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_cookies_are_secure_in_production(app, client: TestClient, session: Session) -> None:  # type: ignore[no-untyped-def]
    """V3.3.1 (Secure attribute): on by default in production, and then on the session cookie."""
    assert Settings(environment="production", secret_key="s" * 40).secure_cookies
    make_user(session, "Prudente")
    session.commit()
    app.state.settings.cookie_secure = True
    response = client.post("/api/v1/session", json={"pseudonym": "Prudente", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "domain=" not in cookie


def test_regular_expression_characters_in_guideline_patterns_are_literal() -> None:
    """V1.2.9: the moderators' pattern syntax (moderation/README.md) escapes the characters it does not define;
    raw regular expressions are refused from the web (tests/review/test_tools.py)."""
    dotted = compile_pattern("a.b")
    assert dotted.regex.search("a.b") and not dotted.regex.search("axb")
    for literal, not_meant in (("c^d$e", "cde"), ("a{2}b", "aab")):
        pattern = compile_pattern(literal)
        assert pattern.regex.search(literal) and not pattern.regex.search(not_meant), literal
