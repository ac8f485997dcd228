"""Onboarding pages: /{lang}/welcome and its steps."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.accounts.permissions import Viewer
from app.db import SessionDep
from app.errors import NotFound
from app.forum import queries as forum_queries
from app.forum.permissions import access_category
from app.i18n_markers import N_
from app.web.routing import html_router
from app.web.templating import render

router = html_router()

# The introductions category of the default categories (app/forum/data/categories.toml).
INTRODUCTIONS = "introduce-yourself"
STEPS: dict[str, str] = {
    "privacy": N_("Your pseudonym and your privacy"),
    "community": N_("How this community works"),
    "diary": N_("Your taper diary"),
    "introduce": N_("Introduce yourself"),
}


def _introduction(session: SessionDep, viewer: Viewer) -> dict[str, object]:
    """The introductions category, and the member's own introduction if they wrote one."""
    try:
        category = access_category(session, viewer, INTRODUCTIONS)
    except NotFound:
        return {"intro_category": None, "intro_thread": None}
    thread = forum_queries.get_first_thread_by(session, viewer, category, viewer) if viewer else None
    return {"intro_category": category, "intro_thread": thread}


def _step(request: Request, session: SessionDep, viewer: Viewer, lang: str, step: str) -> Response:
    if step not in STEPS:
        raise NotFound()
    keys = list(STEPS)
    index = keys.index(step)
    context: dict[str, object] = {
        "step": step, "steps": STEPS, "number": index + 1,
        "previous": keys[index - 1] if index else None,
        "next": keys[index + 1] if index + 1 < len(keys) else None,
    }
    if step == "introduce":
        context.update(_introduction(session, viewer))
    return render(request, f"onboarding/{step}.html", context, noindex=True)


@router.get("/welcome", name="onboarding.start")
def start(request: Request, session: SessionDep, viewer: Viewer, lang: str) -> Response:
    return _step(request, session, viewer, lang, next(iter(STEPS)))


@router.get("/welcome/{step}", name="onboarding.step")
def step_page(request: Request, session: SessionDep, viewer: Viewer, lang: str, step: str) -> Response:
    return _step(request, session, viewer, lang, step)
