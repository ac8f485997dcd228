"""Taper plans: calculate with the pure planner, store versions, pause at a step. No HTTP here.

Every change (a new pace, a pause) adds a version; the previous one is marked
superseded and stays readable in the history. A new pace is calculated afresh
from the start date and dose the member gives: the pauses of the plan it
replaces (steps of that plan) are not carried over. The member is told before
saving (`pauses_left_behind`, in the preview) and when it is saved
(`SavedPlan.pauses_left_behind`); the replaced version keeps them in the history. Steps are stored as calculated,
so a plan never changes under the member when the reference data changes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import serialize, utcnow
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary import plan_holds, planner
from app.diary.equivalents import check_dose
from app.diary.errors import (
    DoseReview,
    PaceNotConfirmed,
    bidi_in_drug_name,
    invalid_dose,
    plan_error,
    translate_core_error,
)
from app.diary.models import TaperPlan
from app.diary.pace import PACE_USUAL, assess_pace
from app.diary.service import today
from app.errors import Conflict, NotFound, Problems, ValidationFailed
from app.i18n_markers import N_
from app.plain_text import has_bidi_controls

MODES = ("percent", "end_date", "fixed")
# The reference pace (app/diary/pace.py): about 5-10 % of the current dose every 2-4 weeks.
# The defaults sit at its quicker end; the form invites slower.
DEFAULT_PERCENT = 10.0
DEFAULT_INTERVAL_DAYS = 14
START_WINDOW_DAYS = 366
NO_PLAN = N_("You have no plan yet.")
PLAN_CHANGED = N_("Your plan was changed at the same moment, in another window or by a double click. Look at your "
                  "current plan, then try again if you still need to.")


@dataclass
class PlanInput:
    drug: str
    start_dose_mg: float | None
    start_date: dt.date
    mode: str = "percent"
    reduction_percent: float | None = DEFAULT_PERCENT
    interval_days: int | None = DEFAULT_INTERVAL_DAYS
    end_date: dt.date | None = None
    amount_mg: float | None = None
    ceiling_percent: float | None = None
    # The member confirmed that their pharmacy has the tablets the reference could not verify.
    tablets_confirmed: bool = False
    # The member read the warning that this plan goes faster than the reference pace.
    pace_confirmed: bool = False


@dataclass(frozen=True)
class StepView:
    """One stored step of a plan (also the API's step: see schemas.PlanOut)."""

    index: int
    date: dt.date
    dose_mg: float
    diazepam_mg: float
    needs_compounding: bool
    effective_percent: float
    exceeds_ceiling: bool
    hold_days: int
    pieces: list[dict[str, float]]


def _require(value: Any, field: str, message: str) -> Any:
    if value is None:
        raise ValidationFailed(message, field=field)
    return value


# The plan form's fields, top to bottom: an error summary lists the problems in this order.
PLAN_FIELDS = ("drug", "start_dose_mg", "start_date", "interval_days", "mode", "reduction_percent", "end_date",
               "amount_mg", "ceiling_percent", "pace_confirmed")
_NEEDED_BY_MODE = {
    "percent": ("reduction_percent", N_("Choose the percentage of the current dose to cut at each step.")),
    "end_date": ("end_date", N_("Choose the date you would like to reach zero.")),
    "fixed": ("amount_mg", N_("Choose how many mg to cut at each step.")),
}


def _core_problems(data: PlanInput) -> list[ValidationFailed]:
    """The planner's own checks of each field that could be read on its own (the name, the dose, the ranges),
    so that they are reported together; the checks that need several fields stay with the planner."""
    core: list[Exception] = []
    if data.drug.strip() and not has_bidi_controls(data.drug):
        try:
            med_names.resolve_or_raise(data.drug)
        except meds.DiaryError as exc:
            core.append(exc)
    if data.start_dose_mg is not None:
        try:
            check_dose(data.start_dose_mg)
        except meds.DiaryError as exc:
            core.append(exc)
    uses_ceiling = data.mode in ("percent", "fixed")
    core += planner.range_problems(percent=data.reduction_percent if data.mode == "percent" else None,
                                   interval_days=data.interval_days,
                                   ceiling_percent=data.ceiling_percent if uses_ceiling else None)
    return [translate_core_error(exc, dose_field="start_dose_mg") for exc in core]


def check_input(data: PlanInput, now: dt.date, problems: Problems | None = None) -> None:
    """Every problem of a plan's fields at once, in the form's order (ValidationErrors when there are several).

    With `problems` (what reading the form already found), those come first, and a field they name
    is not reported twice.
    """
    problems = problems or Problems()
    found: list[ValidationFailed] = []
    if not data.drug.strip():
        found.append(ValidationFailed(N_("Write the name of your medication."), field="drug"))
    elif has_bidi_controls(data.drug):
        found.append(bidi_in_drug_name("drug"))
    if data.start_dose_mg is None:
        found.append(invalid_dose("start_dose_mg"))
    if abs((data.start_date - now).days) > START_WINDOW_DAYS:
        found.append(ValidationFailed(N_("Choose a start date within a year of today."), field="start_date"))
    if data.interval_days is None:
        found.append(ValidationFailed(N_("Choose how many days each step lasts."), field="interval_days"))
    if data.mode not in MODES:
        found.append(ValidationFailed(N_("Choose how you want to set the pace."), field="mode"))
    else:
        needed, message = _NEEDED_BY_MODE[data.mode]
        if getattr(data, needed) is None:
            found.append(ValidationFailed(message, field=needed))
    found += _core_problems(data)
    reported = {error.field for error in problems.errors}
    problems.errors += [error for error in found if error.field not in reported]
    problems.errors.sort(key=lambda error: PLAN_FIELDS.index(error.field) if error.field in PLAN_FIELDS
                         else len(PLAN_FIELDS))
    problems.raise_any()


def calculate(data: PlanInput, *, now: dt.date | None = None) -> planner.Plan:
    """The pure planner's plan for this input; bad input raises ValidationFailed."""
    check_input(data, now or today())
    interval = int(data.interval_days or 0)
    dose = float(data.start_dose_mg or 0)
    confirmed = bool(data.tablets_confirmed)
    # A brand the member named ("Xanax Retard") keeps the steps to its own tablets and form.
    brand = med_names.brand_named(data.drug)
    try:
        if data.mode == "percent":
            percent = _require(data.reduction_percent, "reduction_percent",
                               N_("Choose the percentage of the current dose to cut at each step."))
            return planner.plan_by_percent(data.drug, dose, start_date=data.start_date, percent=percent,
                                           interval_days=interval, ceiling_percent=data.ceiling_percent,
                                           brand=brand, tablets_confirmed=confirmed)
        if data.mode == "end_date":
            end = _require(data.end_date, "end_date", N_("Choose the date you would like to reach zero."))
            return planner.plan_by_end_date(data.drug, dose, start_date=data.start_date, end_date=end,
                                            interval_days=interval, brand=brand, tablets_confirmed=confirmed)
        amount = _require(data.amount_mg, "amount_mg", N_("Choose how many mg to cut at each step."))
        return planner.plan_by_amount(data.drug, dose, start_date=data.start_date, amount_mg=amount,
                                      interval_days=interval,
                                      ceiling_percent=data.ceiling_percent or planner.FIXED_CUT_DEFAULT_CEILING,
                                      brand=brand, tablets_confirmed=confirmed)
    except (meds.DiaryError, ValueError) as exc:
        raise translate_core_error(exc, dose_field="start_dose_mg") from None


def _step_json(step: planner.Step) -> dict[str, Any]:
    return {
        "index": step.index, "date": step.date.isoformat(), "dose_mg": step.dose_mg,
        "diazepam_mg": step.diazepam_mg, "needs_compounding": step.needs_compounding,
        "effective_percent": step.effective_percent, "exceeds_ceiling": step.exceeds_ceiling,
        "hold_days": step.hold_days,
        "pieces": [{"strength_mg": piece.strength_mg, "parts": piece.parts, "count": count}
                   for piece, count in step.pieces],
    }


def _view_json(step: StepView) -> dict[str, Any]:
    return {**asdict(step), "date": step.date.isoformat()}


def steps_of(plan: TaperPlan) -> list[StepView]:
    return _views(plan.steps)


def preview_steps(result: planner.Plan) -> list[StepView]:
    """The steps of a calculated, not stored, plan (the form's preview)."""
    return _views([_step_json(s) for s in result.steps])


def _views(steps: list[dict[str, Any]]) -> list[StepView]:
    return [
        StepView(index=s["index"], date=dt.date.fromisoformat(s["date"]), dose_mg=s["dose_mg"],
                 diazepam_mg=s["diazepam_mg"], needs_compounding=s["needs_compounding"],
                 effective_percent=s["effective_percent"], exceeds_ceiling=s["exceeds_ceiling"],
                 hold_days=s.get("hold_days", 0), pieces=s.get("pieces", []))
        for s in steps
    ]


def pace_of(plan: TaperPlan) -> str:
    """The stored plan's pace against the reference ("usual", "above_usual", "faster_than_reference").

    Judged again from the stored steps, so plans saved before the pace check are judged too.
    """
    try:
        med = med_names.get_medication(plan.molecule)
    except meds.DiaryError:
        return PACE_USUAL
    return assess_pace(med, steps_of(plan), plan.interval_days)


def pace_warnings(plan: TaperPlan) -> list[str]:
    """The stored warning codes, with the pace code of ``pace_of`` (never twice)."""
    pace_codes = {"pace_above_usual", "pace_faster_than_reference"}
    codes = [c for c in plan.warnings if c not in pace_codes]
    pace = pace_of(plan)
    if pace != PACE_USUAL:
        codes.insert(0, f"pace_{pace}")
    return codes


def current_step(plan: TaperPlan, on: dt.date) -> StepView | None:
    """The step in force on a day: the latest that has started (None before the plan starts)."""
    started = [s for s in steps_of(plan) if s.date <= on]
    return started[-1] if started else None


def _next_version(session: Session, user: User) -> int:
    latest = session.scalar(select(func.max(TaperPlan.version)).where(TaperPlan.user_id == user.id))
    return (latest or 0) + 1


def _take_turn(session: Session, user: User) -> None:
    """Plans of one member are saved one after the other (two windows, a double click).

    Each save supersedes the plan that is current when its turn comes and takes
    the next version, so exactly one plan stays current (issue 9: saves sent at
    once left several). The database's partial unique index holds the same rule.
    """
    serialize(session, "taper-plan", user.id)


def _supersede(session: Session, user: User) -> None:
    now = utcnow()
    for plan in session.scalars(
        select(TaperPlan).where(TaperPlan.user_id == user.id, TaperPlan.superseded_at.is_(None))
        .execution_options(populate_existing=True)  # as committed when this save's turn came
    ):
        plan.superseded_at = now
    session.flush()  # before the new current plan is inserted (the partial unique index)


def _store(session: Session, plan: TaperPlan) -> TaperPlan:
    try:
        with session.begin_nested():
            session.add(plan)
    except IntegrityError as exc:  # only if a writer skipped _take_turn: refuse rather than keep two current plans
        raise Conflict(PLAN_CHANGED) from exc
    return plan


class SavedPlan(NamedTuple):
    plan: TaperPlan
    added: bool  # False: identical to the current plan, which stays as it is
    # The pauses ([step index, days]) of the plan this one replaced, not carried over by the new pace.
    pauses_left_behind: list[list[int]]


def _left_behind(current: TaperPlan | None, candidate: TaperPlan) -> list[list[int]]:
    if current is None or not current.holds or same_plan(current, candidate):
        return []
    return [list(hold) for hold in current.holds]


def pauses_left_behind(session: Session, *, user: User, data: PlanInput, result: planner.Plan) -> list[list[int]]:
    """The current plan's pauses that saving this input would not carry over (the preview says so first)."""
    return _left_behind(get_current_plan(session, user_id=user.id), _candidate(user, data, result))


def create_plan(session: Session, *, user: User, data: PlanInput, dose_confirmed: bool = True,
                now: dt.date | None = None) -> TaperPlan:
    """Calculate and store a new current plan; the previous one goes to the history."""
    return save_plan(session, user=user, data=data, dose_confirmed=dose_confirmed, now=now).plan


def save_plan(session: Session, *, user: User, data: PlanInput, dose_confirmed: bool = True,
              now: dt.date | None = None) -> SavedPlan:
    """``create_plan``, whether this save added the version (False: identical to the current one), and the
    pauses of the replaced plan that the new one does not carry over."""
    result = calculate(data, now=now)
    if result.faster_than_reference and not data.pace_confirmed:
        raise PaceNotConfirmed()
    if "start_dose_implausible" in result.warnings and not dose_confirmed:
        raise DoseReview(["start_dose_implausible"])
    plan = _candidate(user, data, result)
    _take_turn(session, user)
    # Compared once this save's turn has come, so 30 saves sent at once add one version, not 30.
    current = _current_in_turn(session, user)
    if current is not None and same_plan(current, plan):
        return SavedPlan(current, False, [])
    left_behind = _left_behind(current, plan)
    _supersede(session, user)
    plan.version, plan.created_at = _next_version(session, user), utcnow()
    return SavedPlan(_store(session, plan), True, left_behind)


def _candidate(user: User, data: PlanInput, result: planner.Plan) -> TaperPlan:
    """The version saving this input would store (not yet added to the session)."""
    return TaperPlan(
        user_id=user.id, drug=" ".join(data.drug.split())[:80],
        molecule=result.molecule, mode=result.mode, start_date=result.start_date,
        start_dose_mg=result.start_dose_mg, interval_days=result.interval_days, percent=result.percent,
        amount_mg=result.amount_mg, end_date=data.end_date if data.mode == "end_date" else None,
        ceiling_percent=result.ceiling_percent, holds=[], steps=[_step_json(s) for s in result.steps],
        warnings=list(result.warnings), tablets_confirmed=result.tablets_confirmed,
    )


def preview_kept(session: Session, *, user: User, data: PlanInput, result: planner.Plan) -> TaperPlan | None:
    """The current plan, pauses included, when saving this input would keep it unchanged (save_plan's rule).

    The form's preview then shows those steps and that end, which is what the member keeps.
    """
    current = get_current_plan(session, user_id=user.id)
    if current is None or not current.holds:
        return None
    return current if same_plan(current, _candidate(user, data, result)) else None


#: What makes two versions the same plan for the member (not their id, version or dates of saving).
_PLAN_FIELDS = ("drug", "molecule", "mode", "start_date", "start_dose_mg", "interval_days", "percent", "amount_mg",
                "end_date", "ceiling_percent", "holds", "steps", "warnings", "tablets_confirmed")


def same_plan(current: TaperPlan, candidate: TaperPlan) -> bool:
    """True if saving ``candidate`` would add a version identical to ``current``.

    A form saved unchanged recalculates the plan without the pauses taken since (add_hold): the pauses
    of ``current`` are applied to the candidate's steps again before comparing. Compared as stored
    (JSON: lists, not tuples; step dicts with the same keys whichever path wrote them).
    """
    if _content(current) == _content(candidate):
        return True
    if not current.holds or candidate.holds:
        return False
    try:
        paused = steps_of(candidate)
        for step_index, days in current.holds:
            paused = list(plan_holds.hold_steps(paused, step_index, days))
    except planner.PlanError:  # the pauses do not fit the new plan: not the same
        return False
    return _content(current) == {**_content(candidate), "holds": _normal(current.holds),
                                 "steps": _normal([_view_json(step) for step in paused])}


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _content(plan: TaperPlan) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in _PLAN_FIELDS} | {
        "holds": _normal(plan.holds), "steps": _normal([_view_json(step) for step in steps_of(plan)]),
        "warnings": list(plan.warnings)}


def _current_in_turn(session: Session, user: User) -> TaperPlan | None:
    return session.scalar(
        select(TaperPlan).where(TaperPlan.user_id == user.id, TaperPlan.superseded_at.is_(None))
        .execution_options(populate_existing=True)  # as committed when this save's turn came
    )


def add_hold(session: Session, *, user: User, plan: TaperPlan, step_index: int, days: int) -> TaperPlan:
    """Stay longer at a step: a new version whose later steps all move by ``days``.

    The stored steps are shifted (not recalculated), so doses stay exactly as
    the member agreed them.
    """
    if not plan.is_current:
        raise ValidationFailed(N_("Only your current plan can be paused."), field="step_index")
    try:
        shifted = plan_holds.hold_steps(steps_of(plan), step_index, days)
    except planner.PlanError as exc:
        raise plan_error(exc) from None
    _take_turn(session, user)
    if session.scalar(select(TaperPlan.superseded_at).where(TaperPlan.id == plan.id)) is not None:
        raise Conflict(PLAN_CHANGED)  # another window changed the plan while this pause was sent
    _supersede(session, user)
    new = TaperPlan(
        user_id=user.id, version=_next_version(session, user), drug=plan.drug, molecule=plan.molecule,
        mode=plan.mode, start_date=plan.start_date, start_dose_mg=plan.start_dose_mg,
        interval_days=plan.interval_days, percent=plan.percent, amount_mg=plan.amount_mg, end_date=plan.end_date,
        ceiling_percent=plan.ceiling_percent, holds=[*plan.holds, [step_index, days]],
        steps=[_view_json(step) for step in shifted],
        warnings=list(plan.warnings), tablets_confirmed=plan.tablets_confirmed, created_at=utcnow(),
    )
    return _store(session, new)


def get_current_plan(session: Session, *, user_id: int) -> TaperPlan | None:
    return session.scalar(
        select(TaperPlan).where(TaperPlan.user_id == user_id, TaperPlan.superseded_at.is_(None))
        .order_by(TaperPlan.version.desc()).limit(1)
    )


def list_plans(session: Session, *, user: User) -> list[TaperPlan]:
    """Every version, newest first."""
    return list(session.scalars(
        select(TaperPlan).where(TaperPlan.user_id == user.id).order_by(TaperPlan.version.desc())
    ))


def access_plan(session: Session, *, user: User, plan_id: int) -> TaperPlan:
    """The member's own plan version; another member's plan is "not found"."""
    plan = session.get(TaperPlan, plan_id)
    if plan is None or plan.user_id != user.id:
        raise NotFound()
    return plan
