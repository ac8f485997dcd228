"""A served app, as in production: logs that hold nothing personal, metrics summed across workers."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.settings import Settings
from tests.conftest import FAST_ARGON2
from tests.factories import make_category
from tests.served import ServedApp, assert_logs_private

ALLOWED_REQUEST_KEYS = {"time", "level", "logger", "message", "request_id", "route", "method", "status", "duration_ms"}


@pytest.mark.slow
def test_logs_carry_no_address_pseudonym_path_or_text(settings: Settings, db: Database, tmp_path: Path) -> None:
    with Session(db.engine) as session:
        make_category(session, "tapering-now")
        session.commit()
    pseudonym, password = "Rose-des-Sables", "une phrase de passe solide 42"
    body = "Quatrième semaine, je dors mal mais je tiens bon, merci à vous."
    query = "insomniesecrete"
    app = ServedApp(settings, tmp_path)
    app.start()
    try:
        with app.client(headers={"X-Forwarded-For": "198.51.100.23"}) as client:
            created = client.post("/api/v1/accounts", json={"pseudonym": pseudonym, "password": password})
            assert created.status_code == 201, created.text
            login = client.post("/api/v1/session", json={"pseudonym": pseudonym, "password": password})
            token = login.json()["csrf_token"]
            headers = {"X-CSRF-Token": token}
            thread = client.post("/api/v1/categories/tapering-now/threads", headers=headers,
                                 json={"title": f"{query} titre", "body": body, "lang": "fr"}).json()
            assert client.post(f"/api/v1/threads/{thread['id']}/posts", headers=headers,
                               json={"body": body + " (suite)"}).status_code == 201
            assert client.get(f"/fr/t/{thread['id']}").status_code == 200
            assert client.get("/fr/search", params={"q": query}).status_code == 200
            assert client.get("/api/v1/search", params={"q": query}).status_code == 200
            assert client.get(f"/fr/u/{pseudonym}").status_code in (200, 404)
            assert client.post("/api/v1/session", json={"pseudonym": pseudonym, "password": "wrong"}).status_code
            assert client.post(f"/api/v1/threads/{thread['id']}/posts", headers=headers,
                               json={"bodyy": body}).status_code == 422
            assert client.get("/fr/account").status_code == 200
            assert client.get("/healthz").status_code == 200
    finally:
        app.stop()
    logs = app.logs()
    assert_logs_private(logs, pseudonym, "Rose", password, body[:30], query, "198.51.100.23", "/fr/t/", "/api/")
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "forum.request"]
    assert len(requests) >= 10
    for line in requests:
        assert set(line) == ALLOWED_REQUEST_KEYS, line
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) and line["duration_ms"] >= 0
    routes = {(line["route"], line["status"]) for line in requests}
    assert {("api.threads.create", 201), ("forum.thread", 200), ("search.page", 200)} <= routes, routes
    assert not any(line["route"] == "ops.healthz" for line in requests)  # probes are counted, not logged


@pytest.mark.slow
def test_metrics_are_summed_across_worker_processes(sqlite_template: Path, tmp_path: Path) -> None:
    # Once, on SQLite: how workers share counters does not depend on the database.
    shutil.copyfile(sqlite_template, tmp_path / "forum.sqlite3")
    settings = Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'forum.sqlite3'}",
                        data_dir=tmp_path, secret_key="test-secret-" + "x" * 32, argon2=FAST_ARGON2)
    app = ServedApp(settings, tmp_path, workers=2)
    app.start()
    try:
        with app.client() as client:
            # Separate connections, so the kernel spreads them over both workers.
            for _ in range(24):
                with app.client() as fresh:
                    assert fresh.get("/fr/").status_code == 200
            # A worker counts a request once its response is sent, so the last count may land
            # a moment after the client has its page: ask again until it is there (or time is up).
            deadline = time.monotonic() + 10
            while True:
                text = client.get("/metrics").text
                counted = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                              if line.startswith("forum_http_requests_total{")
                              and 'route="forum.index"' in line)
                if counted >= 24 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
    finally:
        app.stop()
    assert counted == 24, text
    assert (tmp_path / "metrics").is_dir() and list((tmp_path / "metrics").glob("*.db"))
    assert "forum_database_up 1.0" in text


@pytest.mark.slow
def test_head_on_a_served_page_sends_no_body_and_keeps_the_connection(sqlite_template: Path, tmp_path: Path) -> None:
    """uvicorn reads the method of its own scope while the answer is sent: HEAD must stay HEAD there."""
    shutil.copyfile(sqlite_template, tmp_path / "forum.sqlite3")
    settings = Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'forum.sqlite3'}",
                        data_dir=tmp_path, secret_key="test-secret-" + "x" * 32, argon2=FAST_ARGON2)
    app = ServedApp(settings, tmp_path)
    app.start()
    try:
        with app.client() as client:  # one kept-alive connection for every request
            for path in ("/fr/", "/fr/resources/crisis-lines", "/livez"):
                head = client.head(path)
                assert head.status_code == 200 and head.content == b"", path
                assert int(head.headers["content-length"]) > 0, path
                assert client.get("/livez").status_code == 200, path
    finally:
        app.stop()
    assert "unhandled error" not in app.logs()
