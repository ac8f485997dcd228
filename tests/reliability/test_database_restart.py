"""PostgreSQL restarted and stopped under a running app: pre-ping recovery, then a calm 503, then recovery alone."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.cli import migrate_database
from app.db import Database
from app.settings import Settings
from tests.conftest import FAST_ARGON2
from tests.reliability.pgcluster import Cluster, server_bin
from tests.served import ServedApp, assert_logs_private, free_port, log_in, member_with_category

pytestmark = pytest.mark.skipif(server_bin() is None, reason="PostgreSQL server binaries are not installed")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    own = Cluster(free_port())
    try:
        own.init()
        own.start()
        with psycopg.connect(own.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE forum")
        yield own
    finally:
        own.destroy()


@pytest.mark.slow
def test_app_survives_a_postgresql_restart_and_an_outage(cluster: Cluster, tmp_path: Path) -> None:
    settings = Settings(environment="test", database_url=cluster.url("forum"), data_dir=tmp_path,
                        secret_key="test-secret-" + "x" * 32, argon2=FAST_ARGON2)
    migrate_database(settings.database_url)
    arrange = Database(settings)
    member_with_category(arrange, "Membre-Patiente", "tapering-now")
    arrange.dispose()
    app = ServedApp(settings, tmp_path)
    app.start()
    client = app.client()
    saved: dict[int, str] = {}

    def post(body: str) -> int:
        response = client.post("/api/v1/categories/tapering-now/threads", headers={"X-CSRF-Token": token},
                               json={"title": "Redémarrage", "body": body, "lang": "fr"})
        if response.status_code == 201:
            saved[int(response.json()["first_post_id"])] = body
        return response.status_code

    try:
        token = log_in(client, "Membre-Patiente")
        assert post("avant le redémarrage") == 201
        for _ in range(5):
            assert client.get("/fr/").status_code == 200  # the pool now holds connections

        # 1. A restart between two requests: every pooled connection is dead. Pre-ping
        #    notices on checkout and reconnects, so not one request fails.
        cluster.restart("fast")
        assert client.get("/fr/").status_code == 200
        assert post("juste après le redémarrage") == 201

        # 2. The database is away: calm 503s, quickly, in the page's language.
        cluster.stop("fast")
        started = time.perf_counter()
        page = client.get("/fr/")
        took = time.perf_counter() - started
        assert page.status_code == 503 and "base de données" in page.text and page.headers["retry-after"]
        assert post("pendant la panne") == 503
        assert client.get("/livez").status_code == 200
        assert client.get("/healthz").status_code == 503
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] == "down"
        assert took < 2.0, took

        # 3. Back again: the same process recovers by itself, no restart.
        pid = app.process.pid if app.process else None
        cluster.start()
        deadline = time.monotonic() + 15
        while client.get("/fr/").status_code != 200:
            assert time.monotonic() < deadline, "the app did not recover within 15 s"
            time.sleep(0.1)
        recovered = time.monotonic() - (deadline - 15)
        assert app.process is not None and app.process.poll() is None and app.process.pid == pid
        assert client.get("/readyz").status_code == 200
        assert post("après la panne") == 201
        print(f"\n[postgresql] 503 answered in {took * 1000:.0f} ms while down; "
              f"pages again {recovered:.2f} s after the server was started again")
    finally:
        client.close()
        app.stop()

    with psycopg.connect(cluster.url("forum")) as conn:
        stored = dict(conn.execute("SELECT id, body_md FROM forum_posts").fetchall())
    assert all(stored.get(post_id) == body for post_id, body in saved.items()) and len(saved) == 3
    logs = app.logs()
    statuses = [json.loads(line).get("status") for line in logs.splitlines() if '"forum.request"' in line]
    assert 500 not in statuses and statuses.count(503) >= 2
    assert_logs_private(logs, "Membre-Patiente", "pendant la panne", "redémarrage")
