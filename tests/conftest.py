"""Test databases built by the real migrations, on SQLite and (when configured) PostgreSQL.

Each test gets a fresh, migrated database and the application talks to it
exactly as in production (its own sessions, real commits): SQLite tests copy a
migrated template file; PostgreSQL tests get a copy of a migrated template database,
emptied and renamed after each test for the next one (tests/pg_copies.py says how,
and why that is as new as a fresh copy). This tests BEGIN IMMEDIATE, the after-commit
hooks and the commit point as they run, which a rolled-back outer transaction would hide.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

import moderation
from app import wiring
from app.cli import migrate_database
from app.db import Database
from app.main import create_app
from app.notifications import fanout as notifications_fanout
from app.search import service as search_service
from app.settings import Argon2Settings, RateLimitSettings, ReviewSettings, Settings, ThrottleSettings
from tests.pg_copies import PgCopies

PG_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")
# Fast argon2 parameters in tests only; production uses RFC 9106 parameters.
FAST_ARGON2 = Argon2Settings(time_cost=1, memory_kib=1024, parallelism=1)
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# Tests are an entry point like the app and the CLI: the domains' listeners are connected.
wiring.connect()


@pytest.fixture(autouse=True)
def _no_guidelines_overlay() -> Iterator[None]:
    """Wording guidelines edited from the web live in each test's own database; the engine's overlay
    is process-wide, so no test leaves its entries to the next."""
    yield
    moderation.install_overlay(moderation.make_overlay("", []))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow first (the order is otherwise kept). Under xdist a worker takes the next
    test in collection order when it runs out: a long test collected last would keep one worker
    busy at the end while the other has nothing left to do. Last of the hooks, so that the groups
    every other hook marked are kept together (_keep_xdist_groups)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    _keep_xdist_groups(config, items)


def _keep_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--dist loadgroup` keeps the tests of one xdist_group on one worker by the "@group" that
    pytest-xdist appends to their node ids on the worker. pytest-xdist 3.8 writes it to
    `item._nodeid`, which pytest 9.2 no longer reads (it keeps a structured `item._id`,
    pytest-xdist issue #1386): the suffix was lost without a word and the groups were spread over
    both workers (the moderation model's session fixture trained twice, about 25 s of CI each).
    Any item whose id lacks its group gets it here; a pytest-xdist that sets it itself is left alone."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers under --dist loadgroup
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        if not names:
            continue
        suffix = "@" + "_".join(sorted(names))
        if item.nodeid.endswith(suffix):
            continue
        grouped = item.nodeid + suffix
        if hasattr(item, "_id"):  # pytest >= 9.2
            item._id = type(item._id).parse(grouped)
        else:
            item._nodeid = grouped
        assert item.nodeid == grouped, "pytest keeps node ids in yet another way: update _keep_xdist_groups"


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return "databases: sqlite, postgresql"
    return "databases: sqlite only (PostgreSQL skipped: set FORUM_TEST_POSTGRES_URL to run it)"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    migrate_database(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    return path


def _pg_url(database: str) -> str:
    base, _sep, _old = PG_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (FORUM_TEST_POSTGRES_URL)")
    # The pid keeps two test runs on one server (several checkouts) from sharing a template.
    name = f"forum_tmpl_{_worker()}_{os.getpid()}"
    admin = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    migrate_database(_pg_url(name))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_copies(pg_template: str) -> Iterator[PgCopies]:
    copies = PgCopies(_pg_url("postgres"), _pg_url, pg_template, f"forum_test_{_worker()}")
    yield copies
    copies.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "forum.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    copies: PgCopies = request.getfixturevalue("pg_copies")
    name = copies.take()
    try:
        yield _pg_url(name)
    finally:
        copies.give_back(name)


@contextmanager
def pg_database(prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of this test's own (a copy of `template`, or empty), dropped afterwards."""
    name = f"{prefix}_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test", database_url=database_url, data_dir=tmp_path, secret_key="test-secret-" + "x" * 32,
        argon2=FAST_ARGON2, thread_page_size=5, category_page_size=5,
        # The guidelines watcher checks once at start-up; tests that need more call its check() themselves,
        # so no background query lands inside a test's query count.
        review=ReviewSettings(guidelines_refresh_seconds=3600),
        # Tests post and read far faster than people; tests/security/test_rate_limits.py turns them on.
        rate_limits=RateLimitSettings(enabled=False),
        # ... and sign up at once; tests/security/test_signup_guard.py turns the time check on.
        throttle=ThrottleSettings(signup_min_seconds=0),
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session for arranging and checking data.

    The test client commits it before every request (see `client`), which ends
    its transaction: the app never waits on a lock the test holds, and since
    commit expires every object, what the test reads afterwards is fresh.
    """
    with Session(db.engine, expire_on_commit=True, info={"db": db}) as s:
        yield s


# FastAPI analyses an application's routes (signatures, pydantic models) when it routes its first
# request: half a second of CPU, which each of some 800 tests used to pay for an app of its own.
# Every test still gets its own create_app(settings): its own state, database, caches and middleware.
# Only the route objects, already analysed, come from the first app this worker built from the same
# settings (the key: everything but the database and the data directory), so they are the routes
# create_app(settings) makes. A route holds no state of its application (it reads request.app),
# except where FastAPI looks for dependency_overrides: on that first app, hence the check below.
_ANALYSED_ROUTES: dict[str, list[BaseRoute]] = {}


def _with_analysed_routes(application: FastAPI, settings: Settings) -> None:
    key = settings.model_dump_json(exclude={"database_url", "data_dir"})
    routes = _ANALYSED_ROUTES.setdefault(key, list(application.router.routes))
    application.router.routes = list(routes)  # a test that adds a route adds it to its own app only


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[FastAPI]:
    application = create_app(settings)
    application.state.db.dispose()
    application.state.db = db
    application.state.search = search_service.install(settings, db)
    application.state.notifications = notifications_fanout.install(settings, db)
    _with_analysed_routes(application, settings)
    yield application
    assert not application.dependency_overrides, "the app fixture's routes ignore dependency_overrides"


class _CommittingClient(TestClient):
    arrange_session: Session | None = None

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if self.arrange_session is not None:
            self.arrange_session.commit()
        return super().request(*args, **kwargs)


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    with _CommittingClient(app, base_url="http://testserver") as test_client:
        test_client.arrange_session = session
        yield test_client
