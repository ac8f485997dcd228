"""FORUM_DATABASE_REPLICA_URL: anonymous readers read the replica, members and every write the primary.

The "replica" here is a read-only copy of the primary taken at one moment (as a
lagging replica looks to the app): what was written afterwards is only on the
primary. Read-only, so an anonymous page that tried to write would fail here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.conftest import _pg_url
from tests.factories import api_login, make_category, make_thread, make_user
from tests.served import free_port


@pytest.fixture
def replica_of(database_url: str) -> Iterator[object]:
    if database_url.startswith("sqlite"):
        pytest.skip("a read replica is a PostgreSQL feature")
    made: list[str] = []
    admin = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")

    def clone(db: Database) -> str:
        db.dispose()  # CREATE DATABASE ... TEMPLATE needs the source to have no connection
        name = f"forum_replica_{uuid.uuid4().hex[:8]}"
        source = database_url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        made.append(name)
        return _pg_url(name)

    yield clone
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app(settings: Settings, replica_url: str) -> FastAPI:
    return create_app(settings.model_copy(update={"database_replica_url": replica_url}))


def test_anonymous_pages_read_the_replica_and_members_the_primary(settings: Settings, db: Database,
                                                                   replica_of) -> None:  # type: ignore[no-untyped-def]
    with Session(db.engine) as session:
        author = make_user(session, "Lectrice")
        category = make_category(session, "tapering-now")
        both = make_thread(session, category=category, author=author, title="Sur les deux", body="copie")
        session.commit()
        both_id = both.thread.id
    replica_url = replica_of(db)
    with Session(db.engine) as session:
        author = make_user(session, "Autrice")
        fresh = make_thread(session, category=make_category(session, "later"), author=author,
                            title="Seulement sur le primaire", body="récent")
        session.commit()
        fresh_id = fresh.thread.id
    app = _app(settings, replica_url)
    anonymous, member = TestClient(app), TestClient(app)

    page = anonymous.get("/fr/c/tapering-now")
    assert page.status_code == 200 and "Sur les deux" in page.text
    assert anonymous.get(f"/api/v1/threads/{fresh_id}").status_code == 404  # not replicated yet
    assert anonymous.get(f"/api/v1/threads/{both_id}").status_code == 200
    # Every anonymous page works on a read-only replica: none of them writes.
    for path in ("/fr/", f"/fr/t/{both_id}", "/fr/search?q=copie", "/api/v1/categories", "/api/v1/search?q=copie",
                 "/fr/account/login", "/fr/account/signup", "/nl/", "/en/", "/api/v1/medications"):
        assert anonymous.get(path).status_code == 200, path

    token = api_login(member, "Autrice")  # a write: the primary
    assert member.get(f"/api/v1/threads/{fresh_id}").status_code == 200  # members read their own writes
    created = member.post(f"/api/v1/threads/{fresh_id}/posts", headers={"X-CSRF-Token": token},
                          json={"body": "une réponse"})
    assert created.status_code == 201
    assert "Seulement sur le primaire" in member.get("/fr/c/later").text
    assert app.state.db.replica is not None
    app.state.db.dispose()


def test_a_dead_replica_falls_back_to_the_primary(settings: Settings, db: Database) -> None:
    if settings.is_sqlite:
        pytest.skip("a read replica is a PostgreSQL feature")
    with Session(db.engine) as session:
        make_thread(session, category=make_category(session, "tapering-now"), author=make_user(session),
                    title="Toujours lisible", body="x")
        session.commit()
    app = _app(settings, f"postgresql://forum@127.0.0.1:{free_port()}/forum")
    client = TestClient(app)
    page = client.get("/fr/c/tapering-now")
    assert page.status_code == 200 and "Toujours lisible" in page.text
    ready = client.get("/readyz")
    assert ready.status_code == 200  # the app still serves every page
    assert ready.json()["checks"] == {"database": "ok", "database_replica": "down"}
    app.state.db.dispose()


def test_a_replica_needs_postgresql(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        Settings(data_dir=tmp_path, database_replica_url="postgresql://forum@127.0.0.1/forum")
