"""GET /api/v1/search (contract: {items: [{thread_id, post_id, title, snippet_html, lang, category}], page, pages})."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.accounts.permissions import Viewer
from app.db import SessionDep
from app.search import service
from app.search.views import build_query

router = APIRouter()


class HitOut(BaseModel):
    thread_id: int
    post_id: int
    title: str
    snippet_html: str
    lang: str
    category: str
    created_at: dt.datetime


class SearchOut(BaseModel):
    items: list[HitOut]
    page: int
    pages: int
    total: int
    fallback: bool
    suggestions: list[str]  # "did you mean" queries, offered only when nothing matched


@router.get("/search", response_model=SearchOut, name="api.search")
def search(request: Request, session: SessionDep, viewer: Viewer, q: str = "", lang: str | None = None,
           category: str | None = None, page: int = 1, date_from: str | None = None,
           date_to: str | None = None) -> SearchOut:
    query = build_query(request, viewer, q=q, lang=lang, category=category, date_from=date_from,
                        date_to=date_to, page=page)
    result = service.search(session, request.app.state.db, request.app.state.search, query)
    return SearchOut(
        items=[HitOut(thread_id=h.thread_id, post_id=h.post_id, title=h.title, snippet_html=h.snippet_html,
                      lang=h.lang, category=h.category, created_at=h.created_at) for h in result.items],
        page=result.page, pages=result.pages, total=result.total, fallback=result.fallback,
        suggestions=result.suggestions,
    )
