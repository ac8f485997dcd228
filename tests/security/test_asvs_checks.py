"""Small checks of OWASP ASVS 5.0 Level 2 requirements that no other test shows (docs/security/ASVS-L2.md)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.settings import Settings
from app.web.middleware import HSTS
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


def test_scripts_write_text_never_html() -> None:
    """V3.2.2, V1.3.2, V3.5.5: the few scripts insert text (textContent), never markup; no eval; no postMessage."""
    forbidden = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout(\"", "postMessage", "\"message\"")
    scripts = sorted((Path(__file__).resolve().parents[2] / "app" / "static" / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert not [word for word in forbidden if word in text], script.name


def test_password_fields_are_masked_and_let_password_managers_fill_them(client: TestClient, session: Session) -> None:
    """V6.2.6, V6.2.7: type=password, no autocomplete=off, no paste blocking, on every form that asks for one."""
    pages = ["/fr/account/signup", "/fr/account/login", "/fr/account/recover"]
    seen = 0
    for path in pages:
        seen += _check_password_inputs(client.get(path).text, path)
    make_user(session, "Gestionnaire")
    session.commit()
    client.post("/api/v1/session", json={"pseudonym": "Gestionnaire", "password": PASSWORD})
    for path in ("/fr/account", "/fr/account/data"):
        seen += _check_password_inputs(client.get(path).text, path)
    assert seen >= 6


def _check_password_inputs(html: str, path: str) -> int:
    inputs = [tag for tag in re.findall(r"<input[^>]*>", html) if re.search(r'name="[a-z_]*password[a-z_]*"', tag)]
    for tag in inputs:
        assert 'type="password"' in tag and 'autocomplete="off"' not in tag and "onpaste" not in tag, (path, tag)
        assert re.search(r'autocomplete="(new|current)-password"', tag), (path, tag)
    assert "onpaste" not in html
    return len(inputs)


DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_image_holds_the_application_only() -> None:
    """V13.4.1, V15.2.3: no .git, no tests, no benchmarks in the production image."""
    copied = [line.split()[1:-1] for line in (DEPLOY / "Dockerfile").read_text().splitlines()
              if line.startswith(("COPY", "ADD"))]
    sources = {source for sources in copied for source in sources if not source.startswith("--")}
    assert sources and not sources & {".", ".git", "tests", "bench", "scripts", "docs"}, sources


def test_the_proxies_speak_tls_1_2_and_1_3_only() -> None:
    """V12.1.1, V12.1.2: TLS 1.2 and 1.3 with AEAD, forward-secret suites (nginx names them; Caddy's defaults)."""
    site = (DEPLOY / "nginx" / "forum.conf").read_text()
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site and "TLSv1.1" not in site and "SSLv3" not in site
    suites = re.search(r"ssl_ciphers ([^;]+);", site)
    assert suites and all(s.startswith(("ECDHE-", "DHE-")) and ("GCM" in s or "CHACHA20" in s)
                          for s in suites.group(1).split(":"))
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "protocols" not in caddyfile and "ciphers" not in caddyfile


def test_hsts_is_long_and_covers_subdomains() -> None:
    """V3.4.1: at least a year, subdomains included (the app's header, and nginx's)."""
    for value in (HSTS, re.search(r'Strict-Transport-Security "([^"]+)"',
                                  (DEPLOY / "nginx" / "forum.conf").read_text()).group(1)):  # type: ignore[union-attr]
        age = int(re.search(r"max-age=(\d+)", value).group(1))  # type: ignore[union-attr]
        assert age >= 365 * 86400 and "includeSubDomains" in value, value


def test_no_broken_hash_function_in_the_code() -> None:
    """V11.4.1: no MD5 or SHA-1 anywhere in app/ or moderation/ (bandit in `make lint` says the same)."""
    root = Path(__file__).resolve().parents[2]
    for path in [*root.joinpath("app").rglob("*.py"), *root.joinpath("moderation").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(md5|sha1)\s*\(|hashlib\.new\(", text), path


def test_compose_has_no_default_credentials() -> None:
    """V13.2.3: the stack refuses to start without the operator's own database and search passwords."""
    compose = (DEPLOY / "compose.yaml").read_text()
    for name in ("POSTGRES_PASSWORD", "MEILI_MASTER_KEY"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", compose)
        assert uses and all(use.startswith(":?") for use in uses), (name, uses)


def test_extra_fields_cannot_set_what_the_route_does_not_take(client: TestClient, session: Session) -> None:
    """V15.3.3 (mass assignment): a sign-up that also sends role, id or trust gets an ordinary new member."""
    made = client.post("/api/v1/accounts", json={"pseudonym": "Ambitieuse", "password": PASSWORD, "role": "admin",
                                                 "id": 1, "approved_posts": 99, "status": "active"})
    assert made.status_code == 201
    me = client.post("/api/v1/session", json={"pseudonym": "Ambitieuse", "password": PASSWORD})
    assert me.status_code == 200
    profile = client.get("/api/v1/me").json()
    assert profile["role"] == "member"
    user = session.scalar(select(User).where(User.pseudonym == "Ambitieuse"))
    assert user is not None and user.approved_posts == 0 and user.role == "member"


def test_every_members_page_offers_log_out(client: TestClient, session: Session) -> None:
    """V7.4.4: the log-out form is in the header of every page a member sees."""
    make_user(session, "Sortante")
    session.commit()
    client.post("/api/v1/session", json={"pseudonym": "Sortante", "password": PASSWORD})
    for path in ("/fr/", "/fr/account", "/fr/diary", "/fr/notifications", "/fr/account/data"):
        page = client.get(path)
        assert page.status_code == 200 and 'action="/fr/account/logout"' in page.text, path


def test_passwords_are_checked_as_typed_and_long_ones_are_welcome(client: TestClient, session: Session) -> None:
    """V6.2.1, V6.2.8, V6.2.9: at least 10 characters; 64 and more accepted; never truncated nor case-folded."""
    short = client.post("/api/v1/accounts", json={"pseudonym": "Courte", "password": "nine char"})
    assert short.status_code == 422 and short.json()["field"] == "password"
    long_one = "Un long chemin de sevrage, pas à pas, à mon rythme et avec mon médecin " * 3
    assert len(long_one) > 200
    assert client.post("/api/v1/accounts", json={"pseudonym": "Longue", "password": long_one}).status_code == 201
    for wrong in (long_one[:64], long_one.upper(), long_one + " ", long_one.strip()):
        assert client.post("/api/v1/session", json={"pseudonym": "Longue", "password": wrong}).status_code == 401
    assert client.post("/api/v1/session", json={"pseudonym": "Longue", "password": long_one}).status_code == 200
