"""One log line and one metric sample per request: route name, method, status, duration, request id.

The outermost middleware, so it times everything and sees the final status
(an unhandled error is counted as the 500 the server error handler sends).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import instruments
from app.logs import request_id

log = logging.getLogger("forum.request")

# A proxy's request id is kept (so its log and ours join up) only if it looks like one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# Probes and scrapes are counted but not logged: they would drown the log.
_QUIET_ROUTES = frozenset({"ops.livez", "ops.healthz", "ops.readyz", "ops.metrics"})


def route_name(scope: Scope) -> str:
    route = scope.get("route")
    name = getattr(route, "name", None)
    return str(name) if name else "unmatched"


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.fullmatch(text) else None
    return None


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500  # unless a response starts: an unhandled error becomes a 500 further out

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).setdefault("x-request-id", rid)
            await send(message)

        instruments.IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            instruments.IN_PROGRESS.dec()
            elapsed = time.perf_counter() - started
            route, method = route_name(scope), scope.get("method", "")
            instruments.REQUESTS.labels(route, method, str(status)).inc()
            instruments.LATENCY.labels(route, method, str(status)).observe(elapsed)
            if route not in _QUIET_ROUTES:
                log.info("request", extra={"route": route, "method": method, "status": status,
                                           "duration_ms": round(elapsed * 1000, 1)})
            request_id.reset(token)
