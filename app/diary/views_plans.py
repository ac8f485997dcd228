"""Taper planner pages: the current plan, a new pace (preview, then save), pauses, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.models import User
from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.diary import citations, forms, service, summary, tablets
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary import plans as plan_service
from app.diary.errors import DoseReview, PaceNotConfirmed, warning_text
from app.diary.models import TaperPlan
from app.diary.pace import PACE_FASTER, REFERENCE_MAX_CUT_PERCENT
from app.diary.plan_holds import HOLD_RANGE
from app.diary.planner import FIXED_CUT_DEFAULT_CEILING, INTERVAL_RANGE, PERCENT_RANGE
from app.diary.views_entries import private_page
from app.errors import AppError, ValidationFailed
from app.web.forms import FormFields, rerender
from app.web.params import Id
from app.web.templating import redirect

router = APIRouter()
#: The warning shown apart, in its own prominent box (never only as one line of a list).
FASTER = "pace_faster_than_reference"


def _crossover(molecule: str, dose_mg: float) -> tablets.Crossover | None:
    """Information only (shown with "only with your doctor"): the diazepam arithmetic."""
    if molecule == meds.DIAZEPAM or dose_mg <= 0:
        return None
    try:
        return tablets.diazepam_crossover(molecule, dose_mg)
    except meds.DiaryError:
        return None


def _plan_context(session: SessionDep, viewer: User, plan: TaperPlan | None) -> dict[str, Any]:
    locale, today = i18n.get_locale(), service.today()
    view = summary.plan_view(plan, locale, today)
    entries = service.list_entries(session, user=viewer, start=today - dt.timedelta(weeks=8), end=today)
    dose = (view.current.dose_mg if view.current else view.plan.start_dose_mg) if view else 0.0
    return {
        "view": view, "today": today,
        "warnings": [warning_text(c) for c in plan_service.pace_warnings(plan) if c != FASTER] if plan else [],
        "too_fast": plan is not None and plan_service.pace_of(plan) == PACE_FASTER, "warning_text": warning_text,
        "crossover": _crossover(plan.molecule, dose) if plan else None,
        "crossover_source": citations.equivalence_citation(plan.molecule, locale) if plan else "",
        "pause_suggested": view is not None and summary.suggests_pause(entries, view, today),
        "pieces_text": lambda pieces: summary.pieces_text(pieces, locale), "hold_range": HOLD_RANGE,
    }


@router.get("/diary/plan", name="diary.plan")
def plan_page(request: Request, session: SessionDep, viewer: CurrentUser, notice: str | None = None) -> Response:
    plan = plan_service.get_current_plan(session, user_id=viewer.id)
    return private_page(request, "diary/plan.html", {**_plan_context(session, viewer, plan), "notice": notice})


@router.get("/diary/plan/history", name="diary.plan_history")
def history(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    plans = plan_service.list_plans(session, user=viewer)
    return private_page(request, "diary/plan_history.html", {"plans": plans})


@router.get("/diary/plan/versions/{plan_id}", name="diary.plan_version")
def version(request: Request, session: SessionDep, viewer: CurrentUser, plan_id: Id) -> Response:
    plan = plan_service.access_plan(session, user=viewer, plan_id=plan_id)
    return private_page(request, "diary/plan.html", {**_plan_context(session, viewer, plan), "notice": None})


def _defaults(session: SessionDep, viewer: User) -> dict[str, str]:
    """Start from where the member is now: the current step, else the latest logged dose."""
    today = service.today()
    form = {"mode": "percent", "reduction_percent": forms.form_number(plan_service.DEFAULT_PERCENT),
            "interval_days": str(plan_service.DEFAULT_INTERVAL_DAYS), "start_date": today.isoformat()}
    plan = plan_service.get_current_plan(session, user_id=viewer.id)
    step = plan_service.current_step(plan, today) if plan else None
    if plan is not None:
        form.update(drug=plan.drug, start_dose_mg=forms.form_number(step.dose_mg if step else plan.start_dose_mg))
        if step is None:  # not started yet: its own start date, not today
            form["start_date"] = plan.start_date.isoformat()
        return form
    latest = service.list_entries(session, user=viewer, newest_first=True, limit=1)
    if latest and latest[0].medications:
        med = latest[0].medications[0]
        form.update(drug=med.drug, start_dose_mg=forms.form_number(med.dose_mg))
    return form


def _left_out(drug: str) -> list[tablets.LeftOut]:
    """The tablets of the typed medication the planner uses only once the member confirms them."""
    med = med_names.resolve(drug) if drug.strip() else None
    return list(tablets.left_out(tablets.taper_products(med, brand=med_names.brand_named(drug)))) if med else []


def _form_context(form: dict[str, str], *, preview: Any = None, review: bool = False,
                  kept: TaperPlan | None = None, pauses_left: int = 0) -> dict[str, Any]:
    """The plan form; ``kept``: the current plan that saving would keep as it is (its pauses shown);
    ``pauses_left``: how many pauses of the current plan saving this one would not carry over."""
    locale = i18n.get_locale()
    steps = plan_service.steps_of(kept) if kept else plan_service.preview_steps(preview) if preview else []
    return {
        "left_out": _left_out(form.get("drug", "")),
        "form": form, "errors": {}, "preview": preview, "review": review,
        "preview_warnings": [warning_text(c) for c in preview.warnings if c != FASTER] if preview else [],
        "too_fast": preview is not None and preview.faster_than_reference,
        "brand": med_names.brand_named(form.get("drug", "")) if form.get("drug", "").strip() else None,
        "too_fast_text": warning_text(FASTER), "largest_cut": REFERENCE_MAX_CUT_PERCENT,
        "preview_steps": steps, "preview_end": steps[-1].date if steps else None, "kept_plan": kept,
        "pieces_text": lambda pieces: summary.pieces_text(pieces, locale),
        "percent_range": PERCENT_RANGE, "interval_range": INTERVAL_RANGE,
        "fixed_ceiling": FIXED_CUT_DEFAULT_CEILING, "pauses_left": pauses_left,
    }


@router.get("/diary/plan/new", name="diary.plan_new")
def new_plan(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    return private_page(request, "diary/plan_form.html", _form_context(_defaults(session, viewer)))


@router.post("/diary/plan/new", name="diary.plan_save")
def save_plan(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    """"Preview" calculates and shows the steps; "Save" stores a new version."""
    try:
        data = forms.plan_input(form, service.today())
        # The dose review's "yes, this dose is right" button saves too.
        if form.get("action") != "save" and not form.get("dose_confirmed"):
            result = plan_service.calculate(data)
            kept = plan_service.preview_kept(session, user=viewer, data=data, result=result)
            left = plan_service.pauses_left_behind(session, user=viewer, data=data, result=result)
            return private_page(request, "diary/plan_form.html",
                                _form_context(form, preview=result, kept=kept, pauses_left=len(left)))
        saved = plan_service.save_plan(session, user=viewer, data=data,
                                       dose_confirmed=bool(form.get("dose_confirmed")))
    except PaceNotConfirmed as exc:
        return rerender(request, "diary/plan_form.html", _form_context(form, preview=plan_service.calculate(data)),
                        exc, field="pace_confirmed", noindex=True)
    except DoseReview:
        return private_page(request, "diary/plan_form.html",
                            _form_context(form, preview=plan_service.calculate(data), review=True))
    except AppError as exc:
        return rerender(request, "diary/plan_form.html", _form_context(form), exc, field="drug", noindex=True)
    notice = "unchanged" if not saved.added else "saved_without_pauses" if saved.pauses_left_behind else "saved"
    return redirect(request, "diary.plan", _query={"notice": notice})


@router.post("/diary/plan/hold", name="diary.plan_hold")
def hold(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    plan = plan_service.get_current_plan(session, user_id=viewer.id)
    try:
        if plan is None:
            raise ValidationFailed(plan_service.NO_PLAN, field="step_index")
        step_index = forms.parse_int(form.get("step_index", ""), "step_index")
        days = forms.parse_int(form.get("days", ""), "days")
        plan_service.add_hold(session, user=viewer, plan=plan, step_index=-1 if step_index is None else step_index,
                              days=days or 0)
    except AppError as exc:
        context = {**_plan_context(session, viewer, plan), "notice": None, "hold_form": form}
        return rerender(request, "diary/plan.html", context, exc, field="days", noindex=True)
    return redirect(request, "diary.plan", _query={"notice": "paused"})
