"""Notice a form body that arrived cut short or damaged, while it streams in.

Starlette's form parsers are lenient: a multipart body without its closing
boundary, or a URL-encoded body cut in the middle of an escape, parses into
whatever fields happened to be complete. The CSRF check then finds no token (or
half of one) and answers "another site sent this", and a route may answer "field
missing" — both wrong. This watcher sees the raw bytes as the parser reads them,
without holding the body in memory, and records on the request's state whether
the body was whole; `verify_csrf` (app/web/csrf.py) then answers a 400 that says
so (FormUnreadable) before it looks for the token.

Browsers never send what this refuses: they end every multipart body with its
closing boundary and percent-encode every `%` and every non-ASCII byte as UTF-8.
"""

from __future__ import annotations

import codecs
import re

from starlette.types import Message, Receive, Scope

#: The request state key `verify_csrf` reads: True once the whole body was read and found damaged.
STATE_KEY = "form_unreadable"

_FORM_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")
_BOUNDARY = re.compile(rb'boundary="?([^";,\s]+)"?', re.IGNORECASE)
_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class _Multipart:
    """Whole when the closing delimiter (`--boundary--`) was seen; looks across chunk edges."""

    def __init__(self, boundary: bytes) -> None:
        self.closing = b"--" + boundary + b"--"
        self.tail = b""
        self.closed = False

    def feed(self, chunk: bytes) -> None:
        if self.closed:
            return
        window = self.tail + chunk
        self.closed = self.closing in window
        self.tail = window[-(len(self.closing) - 1):]

    def whole(self) -> bool:
        return self.closed


class _UrlEncoded:
    """Whole when every `%` starts an escape and the decoded bytes are complete UTF-8."""

    def __init__(self) -> None:
        self.carry = b""  # a '%' or '%X' at the end of a chunk, finished by the next one
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.broken = False

    def feed(self, chunk: bytes) -> None:
        if self.broken:
            return
        data = self.carry + chunk
        cut = data.rfind(b"%", max(0, len(data) - 2))
        data, self.carry = (data[:cut], data[cut:]) if cut != -1 else (data, b"")
        if _BAD_PERCENT.search(data):
            self.broken = True
            return
        try:
            self.decoder.decode(_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data))
        except UnicodeDecodeError:
            self.broken = True

    def whole(self) -> bool:
        if self.broken or self.carry:
            return False
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True


def _checker(scope: Scope) -> _Multipart | _UrlEncoded | None:
    content_type = next((value for key, value in scope.get("headers", []) if key == b"content-type"), b"")
    kind = content_type.split(b";", 1)[0].strip().lower()
    if kind not in _FORM_TYPES:
        return None
    if kind == b"application/x-www-form-urlencoded":
        return _UrlEncoded()
    boundary = _BOUNDARY.search(content_type)
    # No boundary at all: Starlette's parser refuses it with its own 400.
    return _Multipart(boundary.group(1)) if boundary else None


def watch_form_body(scope: Scope, receive: Receive) -> Receive:
    """`receive`, noting in `scope["state"]` whether a form body arrived whole."""
    if scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE"):
        return receive
    checker = _checker(scope)
    if checker is None:
        return receive

    async def watched() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            checker.feed(message.get("body", b""))
            if not message.get("more_body", False):
                scope.setdefault("state", {})[STATE_KEY] = not checker.whole()
        return message

    return watched
