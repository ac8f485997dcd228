"""GET /api/v1/search (contract: {items: [{thread_id, post_id, title, snippet_html, lang, category}], page, pages})."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.accounts.permissions import Viewer
from app.db import SessionDep
from app.search import service
from app.search.backend import Hit
from app.search.views import build_query
from app.settings import SettingsDep
from app.web.params import PageNumber

router = APIRouter()


class SearchOut(BaseModel):
    items: list[Hit]
    page: int
    pages: int
    total: int
    fallback: bool
    suggestions: list[str]  # "did you mean" queries, offered only when nothing matched


@router.get("/search", response_model=SearchOut, name="api.search")
def search(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, q: str = "",
           lang: str | None = None, category: str | None = None, page: PageNumber = 1, date_from: str | None = None,
           date_to: str | None = None) -> SearchOut:
    query = build_query(settings, viewer, q=q, lang=lang, category=category, date_from=date_from,
                        date_to=date_to, page=page)
    result = service.search(session, request.app.state.db, request.app.state.search, query)
    return SearchOut(
        items=result.items, page=result.page, pages=result.pages, total=result.total, fallback=result.fallback,
        suggestions=result.suggestions,
    )
