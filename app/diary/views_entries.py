"""The member's diary pages: overview with chart, list of days, the day form (create, edit, delete)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.models import User
from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.diary import forms, service, summary
from app.diary import symptoms as sym
from app.diary.errors import DoseReview, UnknownMedicationError, warning_text
from app.errors import AppError, ValidationFailed, each_error
from app.i18n_markers import N_
from app.web.forms import FormFields, field_errors
from app.web.params import PageNumber
from app.web.templating import redirect, render

router = APIRouter()
ENTRIES_PAGE_SIZE = 30
RECENT_DAYS = 7

MOOD_LABELS = {
    1: N_("Very low"),
    2: N_("Low"),
    3: N_("So-so"),
    4: N_("Good"),
    5: N_("Very good"),
}


def private_page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Every diary page is private health data: never indexed, whoever looks."""
    return render(request, template, context, status_code=status_code, noindex=True)


def _withdrawn_on(session: SessionDep, viewer: User, day: str | None) -> list[str]:
    """The withdrawn products named in the member's own entry of ``day`` (the note after saving it)."""
    try:
        entry = service.get_entry(session, user=viewer, day=dt.date.fromisoformat(day)) if day else None
    except ValueError:
        return []
    return service.withdrawn_names([m.drug for m in entry.medications]) if entry else []


@router.get("/diary", name="diary.index")
def index(request: Request, session: SessionDep, viewer: CurrentUser, notice: str | None = None,
          day: str | None = None) -> Response:
    locale = i18n.get_locale()
    overview = summary.build_summary(session, owner=viewer, locale=locale,
                                     chart_title=i18n.gettext("My taper: dose and symptoms"))
    today = service.today()
    return private_page(request, "diary/index.html", {
        "summary": overview, "recent": list(reversed(overview.rows))[:RECENT_DAYS], "notice": notice,
        "withdrawn": _withdrawn_on(session, viewer, day) if notice in ("saved", "updated") else [],
        "mood_labels": MOOD_LABELS, "today": today,
        # Once today is noted, the button opens today's entry rather than a form for another day.
        "today_noted": service.get_entry(session, user=viewer, day=today) is not None,
    })


@router.get("/diary/entries", name="diary.entries")
def entries(request: Request, session: SessionDep, viewer: CurrentUser, page: PageNumber = 1) -> Response:
    found = service.page_entries(session, user=viewer, page=max(page, 1), size=ENTRIES_PAGE_SIZE)
    return private_page(request, "diary/entries.html", {
        "rows": summary.entry_rows(found.items, i18n.get_locale()), "page_number": found.page, "pages": found.pages,
        "mood_labels": MOOD_LABELS,
    })


def _form_context(session: SessionDep, viewer: CurrentUser, form: dict[str, str], *,
                  review: list[str] | None = None, suggestions: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The day form, short on a phone: the rows in use, the member's usual symptoms; the rest folded."""
    used = [i for i in range(forms.MEDICATION_ROWS)
            if form.get(f"drug_{i}", "").strip() or form.get(f"dose_{i}", "").strip()] or [0]
    used += [int(field.split("_")[1]) for field in suggestions or {}]
    shown_rows = list(range(max(used) + 1))
    usual = [k for k in service.usual_symptoms(session, user=viewer) if k in sym.SYMPTOMS]
    usual += [k for k in sym.SYMPTOMS if form.get(f"sym_{k}") and k not in usual]
    if not usual:
        usual = list(sym.SYMPTOMS)[:sym.DEFAULT_SHOWN]
    return {
        "form": form, "errors": {}, "symptoms": sym.SYMPTOMS, "ratings": sym.RATING_LABELS,
        "usual_symptoms": usual, "other_symptoms": [k for k in sym.SYMPTOMS if k not in usual],
        "mood_labels": MOOD_LABELS, "shown_rows": shown_rows,
        "more_rows": list(range(len(shown_rows), forms.MEDICATION_ROWS)), "today": service.today(),
        "review": [warning_text(code) for code in review or []], "suggestions": suggestions or {},
    }


@router.get("/diary/entries/new", name="diary.entry_new")
def new_entry(request: Request, session: SessionDep, viewer: CurrentUser, day: str | None = None) -> Response:
    """A form for a day not yet noted.

    "Add a day" is for adding: when today already has an entry, the form opens on
    the latest earlier day without one (saying so, with a link to today's entry),
    never on today's entry, whose date a member could change and so move it. A
    day asked for by name (?day=) that has an entry opens that entry to edit.
    """
    chosen = service.today()
    asked = False
    with contextlib.suppress(ValidationFailed):  # a bad ?day= just means today
        chosen, asked = forms.parse_day(day or ""), True
    already: dt.date | None = None
    if service.get_entry(session, user=viewer, day=chosen) is not None:
        if asked:
            return redirect(request, "diary.entry_edit", day=chosen.isoformat())
        already, chosen = chosen, service.latest_free_day(session, user=viewer, before=chosen)
    # Most days repeat yesterday's medication: start from the latest entry's doses.
    latest = service.list_entries(session, user=viewer, newest_first=True, limit=1)
    form = {"day": chosen.isoformat()}
    if latest:
        form.update({k: v for k, v in forms.entry_form(latest[0], chosen).items()
                     if k.startswith(("drug_", "dose_"))})
    return private_page(request, "diary/entry_form.html", {**_form_context(session, viewer, form),
                                                           "already_noted": already})


@router.get("/diary/entries/{day}/edit", name="diary.entry_edit")
def edit_entry(request: Request, session: SessionDep, viewer: CurrentUser, day: dt.date) -> Response:
    entry = service.access_entry(session, user=viewer, day=day)
    return private_page(request, "diary/entry_form.html", _form_context(session, viewer, forms.entry_form(entry, day)))


@router.post("/diary/entries", name="diary.entry_save")
def save_entry(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    form = forms.apply_suggestion(form)  # a tapped "known name" replaces what was typed
    try:
        data = forms.entry_input(form)
        original = form.get("original_day", "")
        moved_from = forms.parse_day(original, "day") if original else None
        saved = service.save_entry(session, user=viewer, data=data, dose_confirmed=bool(form.get("dose_confirmed")),
                                   moved_from=moved_from, new_day_only=True)
    except DoseReview as review:
        return private_page(request, "diary/entry_form.html", _form_context(session, viewer, form,
                                                                            review=review.warnings))
    except AppError as exc:
        # Every problem at once; an unknown name's known neighbours become buttons of their own, introduced
        # as different medicines.
        unknown = [p for p in each_error(exc) if isinstance(p, UnknownMedicationError)]
        context = _form_context(session, viewer, form,
                                suggestions={p.field or "drug_0": p.suggestions for p in unknown})
        errors = field_errors(exc, "day")
        errors.update({p.field or "drug_0": p.form_message() for p in unknown})
        taken = [p.day for p in each_error(exc) if isinstance(p, service.DayTaken)]  # a link to that day's entry
        response = private_page(request, "diary/entry_form.html",
                                {**context, "errors": errors, "taken_day": taken[0] if taken else None},
                                status_code=exc.status_code)
        response.headers.update(exc.headers)
        return response
    notice = "saved" if saved.created else "updated"
    query = {"notice": notice}
    if "product_not_marketed" in saved.warnings:
        query["day"] = saved.entry.day.isoformat()  # the page names the product from the saved entry
    return redirect(request, "diary.index", _query=query, _fragment="entries")


@router.get("/diary/entries/{day}/delete", name="diary.entry_delete_confirm")
def confirm_delete_entry(request: Request, session: SessionDep, viewer: CurrentUser, day: dt.date) -> Response:
    """Deleting a day cannot be undone: ask first (one more tap, and a thumb's slip costs nothing)."""
    entry = service.access_entry(session, user=viewer, day=day)
    return private_page(request, "diary/entry_delete.html", {"row": summary.entry_rows([entry], i18n.get_locale())[0]})


@router.post("/diary/entries/{day}/delete", name="diary.entry_delete")
def delete_entry(request: Request, session: SessionDep, viewer: CurrentUser, day: dt.date) -> Response:
    service.delete_entry(session, user=viewer, day=day)
    return redirect(request, "diary.index", _query={"notice": "deleted"})
