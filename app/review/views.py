"""Public guidelines and help lines; the moderators' minimal queue list."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

import moderation
from app import helplines
from app.accounts.permissions import ModeratorUser
from app.db import SessionDep
from app.review import service
from app.web.routing import html_router
from app.web.templating import render

router = html_router()

CATEGORY_ORDER = ("stigma", "cold_turkey_advice", "crisis", "sourcing", "personal_data")


@router.get("/guidelines", name="review.guidelines")
def guidelines(request: Request, lang: str) -> Response:
    lexicon = moderation.load_lexicon(lang)
    sections = [(category, lexicon.by_category(category)) for category in CATEGORY_ORDER]
    return render(request, "review/guidelines.html", {"sections": sections})


@router.get("/help", name="review.helplines")
def helplines_page(request: Request, lang: str) -> Response:
    return render(request, "review/helplines.html", {
        "lines": helplines.for_locale(lang), "others": helplines.OTHER_SERVICES,
    })


@router.get("/review", name="review.queue")
def queue(request: Request, session: SessionDep, viewer: ModeratorUser) -> Response:
    items = service.list_open_items(session)
    findings = service.findings_for_posts(session, [item.post_id for item in items])
    return render(request, "review/queue.html", {"items": items, "findings": findings}, noindex=True)
