"""Prometheus metrics: how the forum is doing, never who is doing what.

Labels are bounded and impersonal: route *names* (never paths, which carry
pseudonyms and search words), methods, status codes, queue kinds. With several
worker processes (`forum serve --workers N`), prometheus_client's multi-process
mode is on (PROMETHEUS_MULTIPROC_DIR, set by `forum serve`) and a scrape sums
every live worker's counters.

What is read from the database (review queue, search outbox) is computed at
scrape time, so it is the same whichever worker answers.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from app.db import Database, utcnow
from app.instruments import multiprocess_enabled
from app.review.models import ItemStatus, ReviewItem
from app.search.models import OutboxEntry
from app.settings import MetricsSettings

log = logging.getLogger("forum.metrics")

class DatabaseCollector(Collector):
    """Queue sizes and outbox lag, read from the database at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("forum_database_up", "1 when the database answered this scrape.")
        queue = GaugeMetricFamily("forum_review_queue_open_items", "Open review queue items by kind and priority.",
                                  labels=["kind", "priority"])
        pending = GaugeMetricFamily("forum_search_outbox_pending", "Changes waiting for the search index.")
        lag = GaugeMetricFamily("forum_search_outbox_lag_seconds",
                                "Age of the oldest change waiting for the search index (0 when none).")
        try:
            with self.db.session(write=False) as session:
                rows = session.execute(
                    select(ReviewItem.kind, ReviewItem.priority, func.count(ReviewItem.id))
                    .where(ReviewItem.status == ItemStatus.open)
                    .group_by(ReviewItem.kind, ReviewItem.priority)
                ).all()
                count, oldest = session.execute(
                    select(func.count(OutboxEntry.id), func.min(OutboxEntry.created_at))
                ).one()
        except Exception:  # a scrape while the database is down still answers, with up=0
            log.warning("metrics: database not answering")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for kind, priority, n in rows:
            queue.add_metric([str(kind), str(priority)], n)
        pending.add_metric([], count or 0)
        if oldest is not None and oldest.tzinfo is None:  # SQLite hands back naive UTC
            oldest = oldest.replace(tzinfo=dt.UTC)
        lag.add_metric([], max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield from (up, queue, pending, lag)


def _process_registry() -> CollectorRegistry:
    if not multiprocess_enabled():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def render(db: Database) -> bytes:
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(db))
    return generate_latest(_process_registry()) + generate_latest(database)


_PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def allowed(request: Request, settings: MetricsSettings) -> bool:
    """A token when configured; otherwise only a direct loopback client (not one relayed by a proxy).

    The address is looked at here and nowhere stored or logged.
    """
    if settings.token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {settings.token}".encode())
    if any(name in _PROXY_HEADERS for name, _value in request.scope.get("headers", [])):
        return False  # came through the reverse proxy, which is itself on loopback
    client = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


def metrics_endpoint(request: Request) -> Response:
    settings: MetricsSettings = request.app.state.settings.metrics
    if not settings.enabled or not allowed(request, settings):
        # 404 rather than 403: nothing tells a stranger there is something to guess at.
        return Response("Not Found", status_code=404, media_type="text/plain")
    return Response(render(request.app.state.db), media_type=CONTENT_TYPE_LATEST)

