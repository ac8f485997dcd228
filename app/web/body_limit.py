"""A request body larger than any route needs is refused (413) before it is read, whatever the route.

Without it, a client could make any route hold hundreds of megabytes in memory:
Starlette reads a JSON body whole before the route sees it (QA: 400 MB posted to
/api/v1/session took a worker from 285 MB to 1.34 GB). A declared Content-Length
over the limit is answered at once; a body sent without one (chunked) is counted
as it streams in, and the moment it passes the limit the reading stops and the
request is answered 413, whatever the route would have said about the part it read.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge


class _TooLarge(Exception):
    """Raised into whatever is reading the body: it stops there."""


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        over = started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _TooLarge()
            return message

        async def until_over(message: Message) -> None:
            nonlocal started
            if over:  # what the route made of a body it could not finish reading is never sent
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, until_over)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from app.web.errors import app_error_handler  # the error pages import the app's templates

        error = PayloadTooLarge(max=self.max_bytes // 1024)
        error.headers["Connection"] = "close"  # the rest of the body is not read: the connection cannot be reused
        response = await app_error_handler(Request(scope, receive), error)
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None
