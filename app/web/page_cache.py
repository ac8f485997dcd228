"""The visitors' page cache: rendered pages for logged-out readers, kept in each worker's memory.

Like Discourse's anonymous cache. Only GET requests without a member session
cookie, on paths a domain declared cacheable (`Rule`), with no query parameter
other than the ones the rule names, are looked up. A page is kept only when its
view said so (`mark_cacheable`: the viewer is a visitor and the page is public),
it answered 200 and set no cookie of its own. Each entry remembers the versions
(app/page_versions) it was rendered under; it is served only while they are
still current, which costs one indexed read per request and makes a change
made through any worker visible at once. The cache is an LRU bounded by entry
count; `ETag` and `Last-Modified` let browsers revalidate (304; see
`_not_modified` for why Last-Modified alone revalidates less often).

This middleware sits inside WebMiddleware, so security headers, `Vary`,
`Cache-Control` and the language and pre-session cookies are added to cached
answers exactly as to rendered ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import Database
from app.page_versions import read as read_versions
from app.page_versions import read_now as read_versions_now

SESSION_COOKIE = b"tk_session="
_now = time.time  # the wall clock (a test stops it inside one second)
# Response headers never replayed from the cache (cookies belong to one visitor; the rest are per answer).
_NOT_STORED = frozenset({b"set-cookie", b"date", b"server", b"x-request-id", b"content-length", b"etag",
                         b"last-modified"})


@dataclass(frozen=True)
class Rule:
    """Paths matching `pattern` may be cached; `keys(match)` names the versions their pages depend on.

    `params`: the query parameters that may vary (any other one bypasses the cache);
    `variant(match)`: something else the page depends on, added to the cache key.
    """

    pattern: re.Pattern[str]
    keys: Callable[[re.Match[str]], Sequence[str]]
    params: frozenset[str] = frozenset()
    variant: Callable[[re.Match[str]], str] | None = None


@dataclass
class Entry:
    versions: tuple[int, ...]
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    read_at: float  # wall-clock time its versions were read: the page shows what was current then
    route: Any
    stored: float = field(default_factory=time.monotonic)

    @property
    def last_modified(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(int(self.read_at), dt.UTC)

    @functools.cached_property
    def validators(self) -> list[tuple[bytes, bytes]]:
        return [(b"etag", self.etag), (b"last-modified", format_datetime(self.last_modified, usegmt=True).encode())]


def mark_cacheable(request: Request) -> None:
    """Called by a view: this answer is the same for every visitor, and may be kept for them."""
    request.state.page_cacheable = True


class PageCache:
    """A bounded LRU of rendered pages (one per worker; threads of the worker share it).

    `max_age`: a safety net only (versions make pages stale, not time), should a
    change ever be made without bumping its versions (SQL typed by hand).
    """

    def __init__(self, max_entries: int, max_age: float = 600.0) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, ...], versions: tuple[int, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.versions != versions or time.monotonic() - entry.stored > self.max_age:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[str, ...], entry: Entry) -> None:
        with self._lock:
            current = self._entries.get(key)
            if current is not None and current.versions > entry.versions:
                return  # a newer page got there first
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _has_session(scope: Scope) -> bool:
    return any(name == b"cookie" and SESSION_COOKIE in value for name, value in scope["headers"])


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _not_modified(scope: Scope, entry: Entry) -> bool:
    tags = _header(scope, b"if-none-match")
    if tags is not None:
        return tags.strip() == b"*" or entry.etag in (t.strip().removeprefix(b"W/") for t in tags.split(b","))
    since = _header(scope, b"if-modified-since")
    if since is None:
        return False
    try:
        date = parsedate_to_datetime(since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    if date.tzinfo is None:
        return False
    # Last-Modified is to the second: a copy sent with Last-Modified T was read during [T, T+1), maybe
    # before a change made in that same second. It is still what this entry shows only if the entry was
    # read at T or earlier (its versions have not changed since). A copy from this very entry (or one of
    # the same second) is therefore revalidated by its ETag only (RFC 9110 8.8.2.2: a weak validator).
    return entry.read_at <= date.timestamp()


class PageCacheMiddleware:
    def __init__(self, app: ASGIApp, *, db: Callable[[], Database], rules: Sequence[Rule], cache: PageCache) -> None:
        self.app = app
        self.db = db  # called per request: tests swap the application's database
        self.rules = list(rules)
        self.cache = cache

    def _lookup(self, scope: Scope) -> tuple[tuple[str, ...], list[str]] | None:
        """The cache key and version keys of a visitor's GET on a cacheable path; None when not cacheable."""
        if scope["type"] != "http" or scope["method"] != "GET" or self.cache.max_entries <= 0 \
                or _has_session(scope):
            return None
        path = scope["path"]
        for rule in self.rules:
            match = rule.pattern.fullmatch(path)
            if match is None:
                continue
            params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if any(name not in rule.params for name, _ in params) or len({n for n, _ in params}) != len(params):
                return None
            variant = rule.variant(match) if rule.variant is not None else ""
            return (path, variant, *(f"{name}={value}" for name, value in sorted(params))), list(rule.keys(match))
        return None

    def _versions(self, keys: list[str]) -> tuple[int, ...]:
        # Read where the visitor's page will be read from (a replica when there is one), so a page
        # rendered from a lagging replica is never stored under a newer version than it shows.
        db = self.db()
        with (db.replica or db).reader.connect() as connection:
            return read_versions(connection, keys)

    def _versions_now(self, keys: list[str]) -> tuple[int, ...] | None:
        # SQLite (no replica): on the event loop itself, a few microseconds (see Database.read_now).
        db = self.db()
        return read_versions_now(db, keys) if db.replica is None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._lookup(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        key, version_keys = found
        read_at = _now()
        try:
            versions = self._versions_now(version_keys)
        except sqlite3.Error:  # busy, say: read the usual way
            versions = None
        if versions is None:
            try:
                versions = await to_thread.run_sync(self._versions, version_keys)
            except Exception:  # no versions, no cache: the page itself will say what is wrong
                await self.app(scope, receive, send)
                return
        entry = self.cache.get(key, versions)
        if entry is not None:
            scope["route"] = entry.route  # for the request log and metrics
            await self._replay(scope, send, entry)
            return
        await self._render_and_keep(scope, receive, send, key, versions, read_at)

    async def _replay(self, scope: Scope, send: Send, entry: Entry) -> None:
        validators = list(entry.validators)
        if _not_modified(scope, entry):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*entry.headers, *validators, (b"content-length", str(len(entry.body)).encode())]
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _render_and_keep(self, scope: Scope, receive: Receive, send: Send, key: tuple[str, ...],
                               versions: tuple[int, ...], read_at: float) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, send, key, versions, read_at, start, b"".join(chunks))
                return
            await send(message)

        await self.app(scope, receive, capture)

    async def _finish(self, scope: Scope, send: Send, key: tuple[str, ...], versions: tuple[int, ...],
                      read_at: float, start: Message | None, body: bytes) -> None:
        assert start is not None
        state = scope.get("state", {})
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        token = state.get("csrf_token")
        keep = (start["status"] == 200 and state.get("page_cacheable") is True
                and not any(name == b"set-cookie" for name, _ in headers)
                and not (token and token.encode() in body))  # a visitor's own CSRF token is never replayed
        if not keep:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        entry = Entry(versions=versions, status=200, body=body,
                      headers=[(k, v) for k, v in headers if k not in _NOT_STORED],
                      etag=b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"',
                      read_at=read_at, route=scope.get("route"))
        self.cache.put(key, entry)
        await self._replay(scope, send, entry)
