"""JSON routes for the resource pages and the composer's live suggestions."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

import moderation
from app.plain_text import refuse_too_long
from app.resources import schemas, service
from app.resources.content import Page
from app.settings import SettingsDep
from app.web.templating import url_for

# Reading and suggesting change nothing, so they need no CSRF token.
router = APIRouter()


def _out(request: Request, page: Page) -> schemas.PageOut:
    return schemas.PageOut.model_validate({
        "slug": page.slug, "lang": page.lang, "section": page.section, "title": page.title,
        "summary": page.summary, "last_reviewed": page.last_reviewed,
        "url": url_for(request, "resources.page", lang=page.lang, slug=page.slug),
        "sources": [{"title": s.title, "url": s.url} for s in page.sources],
    })


@router.get("/resources", response_model=schemas.PageList, name="api.resources")
def list_pages(request: Request, lang: schemas.Lang = Query("fr")) -> schemas.PageList:
    return schemas.PageList(pages=[_out(request, page) for page in service.list_pages(lang)])


@router.post("/resources/suggest", response_model=schemas.SuggestOut, name="api.resources.suggest")
def suggest(request: Request, body: schemas.SuggestIn, settings: SettingsDep) -> schemas.SuggestOut:
    refuse_too_long(body.text, max_chars=settings.max_post_chars + schemas.TITLE_ROOM, field="text")
    categories = {finding.category for finding in moderation.check(body.text, body.lang)}
    pages = service.suggest(lang=body.ui_lang or body.lang, text=body.text, text_lang=body.lang,
                            categories=categories)
    return schemas.SuggestOut(pages=[_out(request, page) for page in pages])
