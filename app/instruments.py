"""Prometheus metric objects and the pool hooks: a core leaf module (app.db and app.search use it).

Module-level, as prometheus_client expects: in multi-process mode each worker
writes its values to files under PROMETHEUS_MULTIPROC_DIR, summed at scrape time.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, multiprocess, values
from sqlalchemy import Engine, event

REQUESTS = Counter("forum_http_requests", "HTTP requests answered, by route name, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram(
    "forum_http_request_duration_seconds", "Time to answer an HTTP request, by route name, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_PROGRESS = Gauge("forum_http_requests_in_progress", "Requests being answered now.",
                    multiprocess_mode="livesum")
DB_IN_USE = Gauge("forum_db_connections_in_use", "Database connections checked out of the pools.",
                  multiprocess_mode="livesum")
DB_CAPACITY = Gauge("forum_db_pool_capacity", "Most connections one process's pool will open (size + overflow).",
                    multiprocess_mode="livemax")
SEARCH_FALLBACKS = Counter("forum_search_fallbacks", "Searches answered by the database because the engine was down.")


def multiprocess_enabled() -> bool:
    # prometheus_client chose its value class at import, from PROMETHEUS_MULTIPROC_DIR.
    return values.ValueClass is not values.MutexValue


def instrument_pool(engine: Engine) -> None:
    """Count checked-out connections as they come and go (exact across worker processes)."""
    pool: Any = engine.pool
    size, overflow = getattr(pool, "size", lambda: 0)(), getattr(pool, "_max_overflow", 0)
    DB_CAPACITY.set(size + max(overflow, 0))

    @event.listens_for(engine, "checkout")
    def _checkout(*_args: Any) -> None:
        DB_IN_USE.inc()

    @event.listens_for(engine, "checkin")
    def _checkin(*_args: Any) -> None:
        DB_IN_USE.dec()




def mark_process_dead() -> None:
    """A worker stopping cleanly takes its live gauges out of the sum."""
    if multiprocess_enabled():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
