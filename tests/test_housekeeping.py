"""Background upkeep: expired throttle buckets go, on a timer that stops with the app."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import housekeeping
from app.accounts.models import ThrottleBucket
from app.db import Database
from app.settings import Settings
from tests.factories import make_throttle_buckets


def _buckets(session: Session, settings: Settings) -> None:
    make_throttle_buckets(session, settings.throttle.window_seconds)
    session.commit()


def test_run_once_purges_expired_buckets_only(db: Database, session: Session, settings: Settings) -> None:
    _buckets(session, settings)
    done = housekeeping.run_once(db, settings)
    assert done["throttle buckets"] == 1 and done["research exports"] == 0
    assert done["expired downloads"] == done["accounts erased"] == done["downloads prepared"] == 0
    assert done["read notifications"] == 0 and done["stale notification fan-outs"] == 0
    assert list(session.scalars(select(ThrottleBucket.key))) == ["current"]


def test_the_timer_runs_the_tasks_and_stops(db: Database, session: Session, settings: Settings,
                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _buckets(session, settings)
    ran = threading.Event()
    real = housekeeping.run_once

    def run_once(database: Database, current: Settings) -> dict[str, int]:
        done = real(database, current)
        ran.set()
        return done

    monkeypatch.setattr(housekeeping, "run_once", run_once)
    keeper = housekeeping.Housekeeping(db, settings, interval=0.01)
    keeper.start()
    assert ran.wait(10)
    keeper.stop()
    assert keeper._thread is not None and not keeper._thread.is_alive()
    session.commit()
    assert list(session.scalars(select(ThrottleBucket.key))) == ["current"]


def test_the_app_starts_and_stops_its_housekeeping(app) -> None:  # type: ignore[no-untyped-def]
    before = set(threading.enumerate())
    with TestClient(app):
        started = [t for t in threading.enumerate() if t.name == "housekeeping" and t not in before]
        assert len(started) == 1 and started[0].is_alive()
    assert not started[0].is_alive()
