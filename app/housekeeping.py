"""Periodic upkeep that every running application does in the background.

Expired log-in throttle buckets and device cookies, secrets past their one
display (recovery codes, share links), data downloads and research exports
past their download period, API idempotency keys past their window are
deleted; accounts awaiting erasure with their
posts' text have that text withheld (done at the request; this catches older
requests); accounts whose erasure grace period is over are erased (posts
through the search outbox) and downloads a stopped process
left unprepared are prepared; claims on queue items and restrictions on
accounts whose time is up are cleared (they no longer count anyway: this keeps
the rows honest); notifiers' contact details go some months after their notice
was decided; read notifications older than `keep_read_days` are deleted and
large notification fan-outs that no process finished (it stopped, or no worker
runs) are done. Each app process runs it on a timer; running it in several
processes at once is harmless (each task is idempotent; fan-outs skip each
other's rows and never notify twice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from app import idempotency
from app.accounts import devices, reveal
from app.accounts import service as accounts
from app.db import Database
from app.member_data import service as member_data
from app.notifications import fanout as notification_fanout
from app.notifications import service as notifications
from app.research import exports as research_exports
from app.review import reports as review_reports
from app.review import service as review
from app.settings import Settings

log = logging.getLogger("forum.housekeeping")
INTERVAL_SECONDS = 15 * 60
STALE_FANOUT_SECONDS = 5 * 60


def tasks(settings: Settings) -> dict[str, Callable[[Session], int]]:
    """Each task does what is due and says how many rows it handled."""
    return {
        "throttle buckets": lambda session: accounts.purge_expired_throttles(session, settings),
        "secrets shown once": reveal.purge_expired,
        "expired device cookies": devices.purge_expired,
        "idempotency keys": idempotency.purge_expired,
        "research exports": lambda session: research_exports.purge_expired_exports(session, settings),
        "ended restrictions": lambda session: accounts.lift_ended_restrictions(session),
        "expired claims": lambda session: review.release_expired_claims(session),
        "notifier contacts": lambda session: review_reports.erase_notifier_contacts(session, settings),
        "expired downloads": member_data.purge_expired_exports,
        "read notifications": lambda session: notifications.purge_read(
            session, keep_days=settings.notifications.keep_read_days),
        # Entries a live process or worker is about to take are left to it.
        "stale notification fan-outs": lambda session: notification_fanout.process_pending(
            session, older_than=STALE_FANOUT_SECONDS),
    }


def run_once(db: Database, settings: Settings) -> dict[str, int]:
    done = {}
    for name, task in tasks(settings).items():
        with db.session() as session:
            done[name] = task(session)
            session.commit()
    # These open their own transactions, one per member.
    done["posts withheld for erasure"] = member_data.withdraw_pending(db)
    done["accounts erased"] = member_data.erase_due(db)
    done["downloads prepared"] = member_data.build_pending(db)
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
