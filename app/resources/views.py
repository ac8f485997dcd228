"""Resource pages: the index (contract: it links every page under /{lang}/resources/...) and each page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app import helplines
from app.resources import service
from app.web.routing import html_router
from app.web.templating import render, url_for

router = html_router()
CRISIS_LINES = "crisis-lines"


@router.get("/resources", name="resources.index")
def index(request: Request, lang: str) -> Response:
    return render(request, "resources/index.html", {"sections": service.list_sections(lang)})


@router.get("/resources/{slug}", name="resources.page")
def page(request: Request, lang: str, slug: str) -> Response:
    resource = service.access_page(lang, slug)
    siblings = [p for p in service.list_pages(lang) if p.section == resource.section and p.slug != slug]
    # The help-lines page shows the numbers as call buttons before its text (the text is reviewed Markdown).
    lines = helplines.for_locale(lang) if slug == CRISIS_LINES else []
    return render(request, "resources/page.html", {"page": resource, "siblings": siblings, "helplines": lines})


@router.get("/house-rules", name="resources.house_rules")
def house_rules(request: Request) -> Response:
    """A short address for the house rules, which live with the other reviewed pages."""
    return RedirectResponse(url_for(request, "resources.page", slug="house-rules"), status_code=308)
