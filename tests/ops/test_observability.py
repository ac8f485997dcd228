"""Health, readiness, metrics and the database-down page (in process; served tests are in tests/reliability)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import create_app
from app.security import csrf_token_for
from app.settings import MetricsSettings, Settings
from tests.factories import api_login, make_category, make_thread, make_user
from tests.served import free_port

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def db_down(tmp_path: Path) -> FastAPI:
    """An app whose PostgreSQL does not answer (nothing listens on that port)."""
    settings = Settings(environment="test", data_dir=tmp_path, secret_key="test-secret-" + "x" * 32,
                        database_url=f"postgresql://forum@127.0.0.1:{free_port()}/forum")
    return create_app(settings)


def test_livez_answers_without_the_database_healthz_and_readyz_say_why(db_down: FastAPI) -> None:
    client = TestClient(db_down)
    assert client.get("/livez").json() == {"status": "ok"}
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json() == {"status": "unavailable"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "down"}}


def test_healthz_answers_200_when_the_app_and_its_database_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/livez").status_code == 200


def test_readyz_checks_the_search_engine_when_one_is_configured(app: FastAPI, client: TestClient) -> None:
    assert client.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok"}}
    from app.search.meili import Meili

    app.state.settings = app.state.settings.model_copy(
        update={"search": app.state.settings.search.model_copy(update={"backend": "meilisearch"})})
    app.state.search = Meili(app.state.settings.search.model_copy(
        update={"meili_url": f"http://127.0.0.1:{free_port()}"}))
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"] == {"database": "ok", "search": "down"}


def test_database_down_gives_a_calm_503_in_the_pages_language(db_down: FastAPI) -> None:
    client = TestClient(db_down)
    for lang, words in (("fr", "base de données"), ("nl", "database"), ("en", "database")):
        page = client.get(f"/{lang}/")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert words in page.text and "<h1>" in page.text
    api = client.get("/api/v1/categories")
    assert api.status_code == 503 and "database" in api.json()["detail"]


def test_database_down_keeps_the_members_text(db_down: FastAPI) -> None:
    client = TestClient(db_down)
    client.cookies.set("tk_session", "a-member-session")
    token = csrf_token_for(db_down.state.secret, "a-member-session")
    text = "Troisième semaine de diminution, le sommeil revient doucement."
    response = client.post("/fr/t/1/reply", data={"body": text, "csrf_token": token})
    assert response.status_code == 503
    assert text in response.text and "base de données" in response.text


def test_metrics_only_for_loopback_or_the_token(app: FastAPI, client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404  # "testclient" is no loopback address
    local = TestClient(app, client=LOOPBACK)
    assert local.get("/metrics").status_code == 200
    # Relayed by the reverse proxy (itself on loopback): not the operator's own machine.
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404
    app.state.settings = app.state.settings.model_copy(update={"metrics": MetricsSettings(token="s3cret-token")})
    assert local.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    app.state.settings = app.state.settings.model_copy(update={"metrics": MetricsSettings(enabled=False)})
    assert local.get("/metrics").status_code == 404


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_routes_queues_and_outbox_without_anything_personal(
        app: FastAPI, client: TestClient, session: Session) -> None:
    author = make_user(session, "Personne-Discrète")
    make_category(session, "tapering-now")
    session.commit()
    local = TestClient(app, client=LOOPBACK)
    before = local.get("/metrics").text
    token = api_login(client, "Personne-Discrète")
    client.post("/api/v1/categories/tapering-now/threads", headers={"X-CSRF-Token": token},
                json={"title": "Nuits", "body": "je vends mes comprimés de xanax", "lang": "fr"})  # held: queued
    client.get("/fr/", follow_redirects=False)
    client.get("/fr/search", params={"q": "motcachéderecherche"})
    client.get("/fr/no-such-page")
    app.state.db.on_outbox = None  # as with an external worker: the outbox waits
    make_thread(session, category=make_category(session), author=author, body="en attente")
    session.commit()
    text = local.get("/metrics").text

    def delta(name: str, **labels: str) -> float:
        return _sample(text, name, **labels) - _sample(before, name, **labels)

    assert delta("forum_http_requests_total", route="api.threads.create", method="POST", status="201") == 1
    assert delta("forum_http_requests_total", route="forum.index", status="200") == 1
    assert delta("forum_http_requests_total", route="unmatched", status="404") + delta(
        "forum_http_requests_total", status="404") >= 1
    assert delta("forum_http_request_duration_seconds_count", route="search.page") >= 1 or delta(
        "forum_http_request_duration_seconds_count", method="GET") >= 3
    assert _sample(text, "forum_database_up") == 1
    assert _sample(text, "forum_review_queue_open_items", kind="sourcing") >= 1
    assert _sample(text, "forum_search_outbox_pending") >= 1
    assert _sample(text, "forum_search_outbox_lag_seconds") >= 0
    assert "forum_db_connections_in_use" in text and "forum_db_pool_capacity" in text
    for private in ("Personne-Discrète", "Personne", "motcachéderecherche", "xanax", "no-such-page", "testclient"):
        assert private not in text
    labels = set(re.findall(r'(\w+)="', text))
    assert labels <= {"route", "method", "status", "kind", "priority", "le", "version", "implementation",
                      "major", "minor", "patchlevel", "generation"}, labels


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    response = client.get("/fr/")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    kept = client.get("/fr/", headers={"X-Request-ID": "proxy-req-12345678"})
    assert kept.headers["x-request-id"] == "proxy-req-12345678"
    refused = client.get("/fr/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert refused.headers["x-request-id"] != "<script>alert(1)</script>"


def test_check_ready_command_for_health_checks(settings: Settings, db_down: FastAPI, monkeypatch: pytest.MonkeyPatch,
                                               db) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app.cli import cli
    from app.ops import cli as ops_cli

    monkeypatch.setattr(ops_cli, "get_settings", lambda: settings)
    ok = CliRunner().invoke(cli, ["check-ready"])
    assert ok.exit_code == 0 and "database=ok" in ok.output
    monkeypatch.setattr(ops_cli, "get_settings", lambda: db_down.state.settings)
    down = CliRunner().invoke(cli, ["check-ready"])
    assert down.exit_code == 1 and "database=down" in down.output
    nobody = CliRunner().invoke(cli, ["check-ready", "--url", f"http://127.0.0.1:{free_port()}/readyz"])
    assert nobody.exit_code == 1
