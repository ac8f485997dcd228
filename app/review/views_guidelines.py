"""Moderators edit the wording guidelines from the web: per language, versioned, with author and reason."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

import moderation
from app.accounts.permissions import ModeratorUser
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import LOCALES
from app.review import guidelines
from app.review.guidelines import EntryInput, lines
from app.review.views_queue import VOCABULARY
from app.web.forms import FormStr, rerender
from app.web.templating import redirect, render

router = APIRouter()


def _entry_lang(entry_lang: str) -> str:
    if entry_lang not in LOCALES:
        raise NotFound()
    return entry_lang


@router.get("/review/guidelines", name="review.guidelines_editor")
def editor(request: Request, session: SessionDep, viewer: ModeratorUser, lang: str, entry_lang: str = "",
           category: str = "") -> Response:
    entry_lang = _entry_lang(entry_lang or lang)
    entries = guidelines.list_entries(session, entry_lang)
    if category in moderation.CATEGORIES:
        entries = [view for view in entries if view.entry.category == category]
    return render(request, "review/guidelines_editor.html", {
        **VOCABULARY, "entries": entries, "entry_lang": entry_lang, "category": category,
        "categories": moderation.CATEGORIES}, noindex=True)


def _form_of(entry: moderation.Entry) -> dict[str, str]:
    return {"category": entry.category, "severity": entry.severity, "patterns": "\n".join(entry.patterns),
            "suggestions": "\n".join(entry.suggestions), "explanation": entry.explanation,
            "examples": "\n".join(entry.examples)}


def _entry_context(session: SessionDep, entry_lang: str, entry_id: str | None,
                   form: dict[str, str]) -> dict[str, object]:
    view = guidelines.get_entry(session, entry_lang, entry_id) if entry_id else None
    return {**VOCABULARY, "view": view, "entry_lang": entry_lang, "entry_id": entry_id, "form": form, "errors": {},
            "history": guidelines.history(session, entry_lang, entry_id) if entry_id else [],
            "categories": moderation.CATEGORIES, "severities": moderation.SEVERITIES}


@router.get("/review/guidelines/{entry_lang}/new", name="review.guideline_new")
def new_entry(request: Request, session: SessionDep, viewer: ModeratorUser, entry_lang: str,
              category: str = "stigma") -> Response:
    entry_lang = _entry_lang(entry_lang)
    form = {"category": category if category in moderation.CATEGORIES else "stigma", "severity": "medium"}
    return render(request, "review/guideline_entry.html", _entry_context(session, entry_lang, None, form),
                  noindex=True)


@router.get("/review/guidelines/{entry_lang}/{entry_id}", name="review.guideline")
def entry_page(request: Request, session: SessionDep, viewer: ModeratorUser, entry_lang: str,
               entry_id: str) -> Response:
    entry_lang = _entry_lang(entry_lang)
    view = guidelines.get_entry(session, entry_lang, entry_id)
    return render(request, "review/guideline_entry.html",
                  _entry_context(session, entry_lang, entry_id, _form_of(view.entry)), noindex=True)


@router.post("/review/guidelines/{entry_lang}", name="review.guideline_save")
def save_entry(request: Request, session: SessionDep, viewer: ModeratorUser, entry_lang: str, entry_id: FormStr = "",
               name: FormStr = "", category: FormStr = "", severity: FormStr = "", patterns: FormStr = "",
               suggestions: FormStr = "", explanation: FormStr = "", examples: FormStr = "", reason: FormStr = "",
               enabled: FormStr = "1") -> Response:
    entry_lang = _entry_lang(entry_lang)
    form = {"name": name, "category": category, "severity": severity, "patterns": patterns,
            "suggestions": suggestions, "explanation": explanation, "examples": examples, "reason": reason}
    data = EntryInput(category=category, severity=severity, patterns=lines(patterns), suggestions=lines(suggestions),
                      explanation=explanation, examples=lines(examples), reason=reason, enabled=enabled == "1")
    try:
        new = not entry_id
        target = guidelines.new_entry_id(entry_lang, category, name) if new else entry_id
        guidelines.save(session, editor=viewer, lang=entry_lang, entry_id=target, data=data, new=new)
    except NotFound:
        # An entry that does not exist (a tampered or stale form) is no form error: there is no
        # form to show again, and a rollback here would leave the error page a detached viewer.
        raise
    except AppError as exc:
        session.rollback()
        return rerender(request, "review/guideline_entry.html",
                        _entry_context(session, entry_lang, entry_id or None, form), exc, field="patterns",
                        noindex=True)
    return redirect(request, "review.guideline", entry_lang=entry_lang, entry_id=target, _query={"saved": 1})


@router.post("/review/guidelines/{entry_lang}/{entry_id}/switch", name="review.guideline_switch")
def switch_entry(request: Request, session: SessionDep, viewer: ModeratorUser, entry_lang: str, entry_id: str,
                 enabled: FormStr = "", reason: FormStr = "") -> Response:
    entry_lang = _entry_lang(entry_lang)
    view = guidelines.get_entry(session, entry_lang, entry_id)
    try:
        guidelines.save(session, editor=viewer, lang=entry_lang, entry_id=entry_id,
                        data=guidelines.input_from(view, reason=reason, enabled=enabled == "1"))
    except AppError as exc:
        session.rollback()
        return rerender(request, "review/guideline_entry.html",
                        _entry_context(session, entry_lang, entry_id, _form_of(view.entry)), exc, field="reason",
                        noindex=True)
    return redirect(request, "review.guideline", entry_lang=entry_lang, entry_id=entry_id, _query={"saved": 1})
