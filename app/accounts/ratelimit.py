"""Rate limits on searching and the visitors' JSON API, counted in the database so every worker shares them.

Clients are known by a keyed daily hash of their address prefix, never the
address (app/web/client.py); members by their id. Each limit answers 429 with
Retry-After and a message in the request's language.

- Visitors' API reads and everyone's searches are counted by `RateLimitMiddleware`,
  before the request opens its own database session, in a short transaction of
  their own. If the database cannot count (busy), the request goes through: a
  limit must never make a page fail.
- Searches: visitors per client (`searches`), logged-in members per member
  (`member_searches`, higher: a member refining a search is not a scraper, and a
  family or a clinic shares one address). Only a search with words counts; the
  empty search form is a page like any other. The HTML search page, when over
  the limit, is still answered by its view (429), with the words kept in the
  form and the time to wait said in the member's language (`SEARCH_WAIT`).
- The composer's live checks (`PREVIEWS`: the wording check and the suggested pages, each
  counted apart), open to visitors and costly on a long text: visitors per client
  (`previews`), logged-in members per member (`member_previews`).
- Posting is limited per member by trust (app/forum/service.py, TrustSettings: fewer
  posts per hour for new members, slow mode), reports by app/review/reports.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.accounts import throttle
from app.accounts.service import get_session_by_token
from app.db import writer_turn
from app.errors import DatabaseBusy, RateLimited
from app.i18n_markers import N_
from app.security import keyed_hash
from app.settings import Settings
from app.web.client import throttle_key
from app.web.errors import app_error_handler
from app.web.middleware import SESSION_COOKIE, read_cookies

log = logging.getLogger("forum.ratelimit")
SLOW_DOWN = N_("You are going a little fast. Please wait %(seconds)s seconds and try again.")
#: The request state key the search page reads: the seconds to wait (app/search/views.py).
SEARCH_WAIT = "search_wait"
#: The composer's live checks, by path, and the name of each one's bucket. POSTs that change nothing
#: (no CSRF token), open to any client, each running the moderation engine on the text it is sent.
PREVIEWS = {"/api/v1/moderation/check": "moderation-check", "/api/v1/resources/suggest": "resources-suggest"}


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int
    cost: int = 1  # the uses this request counts for (a long text checked costs more: preview_cost)


#: A live check counts one use per this many bytes of its body, and one more: the engine's time
#: grows with the text (about 1 s of CPU for 20,000 characters here), so a budget of requests alone
#: let one member keep both cores busy with full-length texts (outsider's attack).
PREVIEW_BYTES_PER_USE = 2_000
#: What a live check without a Content-Length counts for: as much as the longest text allowed.
PREVIEW_MAX_COST = 21


def preview_cost(scope: Scope) -> int:
    """The uses a live check counts for: 1 for a short text, 1 more per PREVIEW_BYTES_PER_USE bytes."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return PREVIEW_MAX_COST
            return min(PREVIEW_MAX_COST, 1 + max(0, length) // PREVIEW_BYTES_PER_USE)
    return PREVIEW_MAX_COST


def count(session: Session, key: str, limit: Limit) -> int | None:
    """Count one use (or the request's cost); the seconds to wait when over the limit, else None."""
    throttle.record_attempt(session, key, limit.seconds, limit.cost)
    if throttle.attempts(session, key, limit.seconds) > limit.count:
        return throttle.seconds_left(limit.seconds)
    return None


def is_search(scope: Scope) -> bool:
    """A search with words, on the API or a language's search page (not the empty form)."""
    path: str = scope.get("path", "")
    if not (path == "/api/v1/search" or path.endswith("/search") and path.count("/") == 2):
        return False
    return any(value.strip() for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
               if key == "q")


def is_search_page(scope: Scope) -> bool:
    return is_search(scope) and not scope.get("path", "").startswith("/api/")


def _limit_for(scope: Scope, settings: Settings) -> Limit | None:
    path: str = scope.get("path", "")
    method = scope.get("method", "GET")
    limits = settings.rate_limits
    if method == "POST" and path in PREVIEWS:
        return Limit(PREVIEWS[path], limits.previews, limits.previews_seconds, preview_cost(scope))
    if method != "GET":
        return None
    if is_search(scope):
        return Limit("search", limits.searches, limits.searches_seconds)
    if path.startswith("/api/v1/") and path != "/api/v1/openapi.json" and SESSION_COOKIE not in read_cookies(scope):
        return Limit("api", limits.api_reads, limits.api_reads_seconds)
    return None


def _member_limit(limit: Limit, settings: Settings) -> Limit | None:
    """The limit a logged-in member is counted by instead of `limit`, on their own (None: none, a visitor's)."""
    limits = settings.rate_limits
    if limit.name == "search":
        return Limit("search-member", limits.member_searches, limit.seconds)
    if limit.name in PREVIEWS.values():
        return Limit(f"{limit.name}-member", limits.member_previews, limit.seconds, limit.cost)
    return None


def _member_id(session: Session, scope: Scope) -> int | None:
    """The logged-in member behind the request's session cookie (a forged cookie is a visitor)."""
    token = read_cookies(scope).get(SESSION_COOKIE)
    if not token:
        return None
    found = get_session_by_token(session, token)
    return found.user_id if found is not None else None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            application = scope["app"]
            settings: Settings = application.state.settings
            limit = _limit_for(scope, settings) if settings.rate_limits.enabled else None
            if limit is not None:
                request = Request(scope, receive)
                wait = await self._count_in_turn(application, request, limit, settings)
                if wait is not None and is_search_page(scope):
                    # The search page answers itself: the words stay in the form (app/search/views.py).
                    scope.setdefault("state", {})[SEARCH_WAIT] = wait
                elif wait is not None:
                    error = RateLimited(SLOW_DOWN, retry_after=wait, seconds=wait)
                    response = await app_error_handler(request, error)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    @classmethod
    async def _count_in_turn(cls, application: object, request: Request, limit: Limit,
                             settings: Settings) -> int | None:
        """The count, on a worker thread and, on SQLite, in a writer's turn (app.db.writer_turn).

        It writes: counted on the event loop, it stopped the whole worker while a
        request held SQLite's write lock, and that request needed the loop to
        finish (QA: visitors' reads during a burst of replies, no answer for 60 s).
        """
        try:
            async with writer_turn(application.state.db):  # type: ignore[attr-defined]
                return await run_in_threadpool(cls._count, application, request, limit, settings)
        except DatabaseBusy:  # cannot count now: let the request through
            log.warning("rate limit %s not counted: database busy", limit.name)
            return None

    @staticmethod
    def _count(application: object, request: Request, limit: Limit, settings: Settings) -> int | None:
        db = application.state.db  # type: ignore[attr-defined]
        try:
            with db.session() as session:
                per_member = _member_limit(limit, settings)
                member = _member_id(session, request.scope) if per_member is not None else None
                if member is not None and per_member is not None:  # keyed like a client's: no bucket names a member
                    key = keyed_hash(request.app.state.secret, per_member.name, str(member))
                    limit = per_member
                else:
                    key = throttle_key(request, limit.name)
                wait = count(session, key, limit)
                session.commit()
                return wait
        except (SQLAlchemyError, DatabaseBusy):  # cannot count now: let the request through
            log.warning("rate limit %s not counted: database busy", limit.name)
            return None
