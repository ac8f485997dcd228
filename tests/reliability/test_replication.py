"""A real streaming replica (pg_basebackup -R) behind FORUM_DATABASE_REPLICA_URL: lag, routing, replica loss."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.cli import migrate_database
from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.conftest import FAST_ARGON2
from tests.factories import api_login, make_category, make_user
from tests.reliability.pgcluster import Cluster, server_bin
from tests.served import free_port

pytestmark = pytest.mark.skipif(server_bin() is None, reason="PostgreSQL server binaries are not installed")


@pytest.fixture
def primary_and_replica() -> Iterator[tuple[Cluster, Cluster]]:
    primary, replica = Cluster(free_port()), Cluster(free_port())
    try:
        primary.init()
        primary.start()
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE forum")
        migrate_database(primary.url("forum"))
        replica.base_backup_from(primary)
        replica.start()
        yield primary, replica
    finally:
        replica.destroy()
        primary.destroy()


@pytest.mark.slow
def test_streaming_replica_serves_anonymous_readers(primary_and_replica: tuple[Cluster, Cluster],
                                                     tmp_path: Path) -> None:
    primary, replica = primary_and_replica
    settings = Settings(environment="test", database_url=primary.url("forum"),
                        database_replica_url=replica.url("forum"), data_dir=tmp_path,
                        secret_key="test-secret-" + "x" * 32, argon2=FAST_ARGON2)
    arrange = Database(settings)
    with Session(arrange.engine) as session:
        make_user(session, "Autrice")
        make_category(session, "tapering-now")
        session.commit()
    arrange.dispose()
    app = create_app(settings)
    anonymous, member = TestClient(app), TestClient(app)
    try:
        token = api_login(member, "Autrice")
        created = member.post("/api/v1/categories/tapering-now/threads", headers={"X-CSRF-Token": token},
                              json={"title": "Répliqué", "body": "un message", "lang": "fr"})
        assert created.status_code == 201
        thread_id = created.json()["id"]
        assert member.get(f"/api/v1/threads/{thread_id}").status_code == 200  # read-your-writes: primary
        started, deadline = time.monotonic(), time.monotonic() + 15
        while anonymous.get(f"/api/v1/threads/{thread_id}").status_code != 200:
            assert time.monotonic() < deadline, "the replica never caught up"
            time.sleep(0.05)
        lag = time.monotonic() - started
        with psycopg.connect(replica.url("forum")) as conn:  # it is a standby indeed
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        assert client_ready(anonymous) == {"database": "ok", "database_replica": "ok"}

        replica.stop("immediate")  # the replica is lost: anonymous readers go to the primary
        assert anonymous.get(f"/fr/t/{thread_id}").status_code == 200
        assert client_ready(anonymous) == {"database": "ok", "database_replica": "down"}
        print(f"\n[postgresql] replica caught up {lag * 1000:.0f} ms after the 201")
    finally:
        app.state.db.dispose()


def client_ready(client: TestClient) -> dict[str, str]:
    return dict(client.get("/readyz").json()["checks"])
