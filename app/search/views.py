"""The search page, in every language, usable without JavaScript."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response

from app.accounts.permissions import Viewer
from app.accounts.ratelimit import SEARCH_WAIT
from app.db import SessionDep, utcnow
from app.forum import queries as forum_queries
from app.i18n import LOCALES, format_datetime, get_locale, gettext
from app.plain_text import strip_controls
from app.search import service
from app.search.backend import SearchQuery
from app.settings import Settings, SettingsDep
from app.web.params import OptionalPage, in_date_range
from app.web.routing import html_router
from app.web.templating import render

router = html_router()


def _date(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or in_date_range(day) else None


def build_query(settings: Settings, viewer: Viewer, *, q: str, lang: str | None, category: str | None,
                date_from: str | None = None, date_to: str | None = None, page: int | None = None) -> SearchQuery:
    return SearchQuery(
        text=strip_controls(q)[:200], lang=lang if lang in LOCALES else None, category=category or None,
        date_from=_date(date_from), date_to=_date(date_to), page=max(page or 1, 1),
        page_size=settings.search.page_size, members_visible=viewer is not None,
    )


@router.get("/search", name="search.page")
def search_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, q: str = "",
                in_lang: str | None = None, category: str | None = None, date_from: str | None = None,
                date_to: str | None = None, page: OptionalPage = None) -> Response:
    query = build_query(settings, viewer, q=q, lang=in_lang, category=category, date_from=date_from,
                        date_to=date_to, page=page)
    errors = {}
    if (date_from and not query.date_from) or (date_to and not query.date_to):
        errors["dates"] = gettext("Dates are written as year-month-day, for example 2026-03-12.")
    results = None
    wait: int | None = getattr(request.state, SEARCH_WAIT, None)  # over the limit (app/accounts/ratelimit.py)
    if q.strip() and wait is None:
        results = service.search(session, request.app.state.db, request.app.state.search, query)
    response = render(request, "search/page.html", {
        "q": q, "query": query, "results": results, "errors": errors, "wait": _wait_context(wait),
        "categories": [c for c, _count, _last in forum_queries.list_categories(session, viewer)],
        "form": {"in_lang": in_lang or "", "category": category or "", "date_from": date_from or "",
                 "date_to": date_to or ""},
    }, noindex=True, status_code=429 if wait is not None else 200)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


def _wait_context(wait: int | None) -> dict[str, object] | None:
    """How long to wait before searching again, and the time on the clock (Brussels) when it is over."""
    if wait is None:
        return None
    at = utcnow() + dt.timedelta(seconds=wait)
    return {"seconds": wait, "at": format_datetime(at, get_locale(), "HH:mm")}
