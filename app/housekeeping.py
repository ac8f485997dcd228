"""Periodic upkeep that every running application does in the background.

Today: expired log-in throttle buckets are deleted, so the table holds only the
current window's counters, and research exports past their download period
are deleted. Each app process runs it on a timer; running it in
several processes at once is harmless (each task is an idempotent delete).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.db import Database
from app.research import exports as research_exports
from app.settings import Settings

log = logging.getLogger("forum.housekeeping")
INTERVAL_SECONDS = 15 * 60


def tasks(settings: Settings) -> dict[str, Callable[[Session], int]]:
    """Each task deletes what has expired and says how many rows went."""
    return {
        "throttle buckets": lambda session: accounts.purge_expired_throttles(session, settings),
        "research exports": lambda session: research_exports.purge_expired_exports(session, settings),
    }


def run_once(db: Database, settings: Settings) -> dict[str, int]:
    done = {}
    for name, task in tasks(settings).items():
        with db.session() as session:
            done[name] = task(session)
            session.commit()
    return done


class Housekeeping:
    """Runs `run_once` every `interval` seconds on a daemon thread, from one interval after start-up."""

    def __init__(self, db: Database, settings: Settings, interval: float = INTERVAL_SECONDS) -> None:
        self.db = db
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                run_once(self.db, self.settings)
            except Exception:  # the database may be busy or down: try again next time
                log.exception("housekeeping failed")
