"""JSON routes: the medication reference (public, read-only) and a member's diary and plans."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.diary import equivalents, schemas, service
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary import plans as plan_service
from app.diary.errors import UnknownMedicationError, invalid_dose
from app.diary.export import entry_json, plan_json
from app.diary.forms import parse_day
from app.diary.models import Entry, TaperPlan
from app.i18n import gettext
from app.i18n_markers import N_
from app.web.params import Id
from app.web.routing import api_router

# Read-only and public: no session, no CSRF (any client may look an equivalence up).
reference = APIRouter()
router = api_router()

EQUIVALENCE_NOTE = N_("Equivalences are approximate and differ between people. Switching medication is a decision "
                      "to take with your doctor.")


@reference.get("/medications", response_model=list[schemas.MedicationOut], name="api.medications")
def list_medications() -> list[schemas.MedicationOut]:
    out = []
    for med in meds.list_medications():
        primary = med.primary_equivalent
        out.append(schemas.MedicationOut(
            molecule=med.molecule, names={"fr": med.name_fr, "nl": med.name_nl, "en": med.name_en},
            brands=list(med.brands), half_life_hours=med.half_life_hours, half_life_class=med.half_life_class,
            diazepam_equivalent_mg=[primary.lo, primary.hi], source=primary.source.short,
            verified=primary.verified,
            products=[schemas.ProductOut(
                brand=p.brand, market=p.market, form=p.form, strengths_mg=list(p.strengths_mg), scored=p.scored,
                quarterable=p.quarterable, verified=p.verified, scored_verified=p.scored_verified,
                marketed=p.marketed, source=p.source.title, note=p.note,
            ) for p in med.products],
        ))
    return out


@reference.get("/medications/equivalence", response_model=schemas.EquivalenceOut,
               response_model_exclude_none=True, name="api.medications.equivalence",
               responses={404: {"description": "Unknown medication; `suggestions` lists the closest names"}})
def equivalence(drug: str = Query(max_length=200), dose_mg: str = Query(max_length=40)) -> Response:
    try:
        # The diary's own checks (a number, measurable): 1e-7 mg is no dose anyone takes, and answered 0 mg.
        dose = service.check_dose(service.parse_number(dose_mg, "dose_mg"), "dose_mg")
        eq = equivalents.equivalence(drug, dose)
    except meds.UnknownMedication as exc:  # the reference has no such page: 404, with "did you mean"
        raise UnknownMedicationError(exc.name, exc.suggestions, field="drug", status_code=404) from None
    except meds.InvalidDose:
        raise invalid_dose("dose_mg") from None
    lo, hi = eq.diazepam_mg_range
    warnings = ["dose_implausible"] if dose > equivalents.plausible_max_daily_mg(eq.molecule) else []
    if med_names.withdrawn_products(drug):
        warnings.append("product_not_marketed")  # recognised, but no longer sold in Belgium
    body = schemas.EquivalenceOut(
        molecule=eq.molecule, dose_mg=eq.dose_mg, diazepam_mg=eq.diazepam_mg, source=eq.source,
        diazepam_mg_range=None if lo == hi else [lo, hi], verified=eq.verified,
        other_sources=[schemas.OtherSourceOut(source=o.source, region=o.region, diazepam_mg=o.diazepam_mg,
                                              diazepam_mg_range=list(o.diazepam_mg_range), verified=o.verified)
                       for o in eq.other_sources],
        warnings=warnings, note=gettext(EQUIVALENCE_NOTE),
    )
    return JSONResponse(body.model_dump(exclude_none=True, mode="json"))


# ---------------------------------------------------------------- entries
def _entry_out(entry: Entry, saved: service.SavedEntry | None = None) -> schemas.EntryOut:
    if saved is not None:
        return schemas.EntryOut(**entry_json(entry), created=saved.created, warnings=saved.warnings)
    return schemas.EntryOut(**entry_json(entry))


def _medications(items: list[schemas.MedicationIn]) -> list[service.MedicationInput]:
    return [service.MedicationInput(item.drug, item.dose_mg) for item in items]


@router.post("/diary/entries", status_code=201, response_model=schemas.EntryOut, name="api.diary.entries.create",
             responses={200: {"model": schemas.EntryOut, "description": "The day already had an entry: merged"}})
def create_entry(body: schemas.EntryIn, response: Response, session: SessionDep,
                 viewer: CurrentUser) -> schemas.EntryOut:
    """Create the day's entry; a second post for the same date updates it (200)."""
    provided = frozenset(body.model_fields_set) & service.ENTRY_FIELDS
    data = service.EntryInput(
        day=body.date, medications=_medications(body.medications), none_taken=body.none_taken,
        symptoms=body.symptoms, sleep_hours=body.sleep_hours, mood=body.mood, note=body.note,
        provided=provided, merge_symptoms=True,
    )
    saved = service.save_entry(session, user=viewer, data=data)
    if not saved.created:
        response.status_code = 200
    return _entry_out(saved.entry, saved)


@router.get("/diary/entries", response_model=list[schemas.EntryOut], name="api.diary.entries")
def list_entries(session: SessionDep, viewer: CurrentUser, start: str | None = Query(None, alias="from"),
                 end: str | None = Query(None, alias="to")) -> list[schemas.EntryOut]:
    """The member's entries, oldest first; ``from`` and ``to`` (YYYY-MM-DD) are inclusive, empty means open."""
    first = parse_day(start, "from") if start else None
    last = parse_day(end, "to") if end else None
    return [_entry_out(e) for e in service.list_entries(session, user=viewer, start=first, end=last)]


@router.get("/diary/entries/{day}", response_model=schemas.EntryOut, name="api.diary.entry")
def get_entry(day: dt.date, session: SessionDep, viewer: CurrentUser) -> schemas.EntryOut:
    return _entry_out(service.access_entry(session, user=viewer, day=day))


@router.put("/diary/entries/{day}", response_model=schemas.EntryOut, name="api.diary.entry.update")
def update_entry(day: dt.date, body: schemas.EntryPatch, session: SessionDep,
                 viewer: CurrentUser) -> schemas.EntryOut:
    service.access_entry(session, user=viewer, day=day)
    provided = frozenset(body.model_fields_set) & service.ENTRY_FIELDS
    data = service.EntryInput(
        day=day, medications=_medications(body.medications or []), none_taken=bool(body.none_taken),
        symptoms=body.symptoms or {}, sleep_hours=body.sleep_hours, mood=body.mood, note=body.note or "",
        provided=provided,
    )
    saved = service.save_entry(session, user=viewer, data=data)
    return _entry_out(saved.entry, saved)


@router.delete("/diary/entries/{day}", status_code=204, name="api.diary.entry.delete")
def delete_entry(day: dt.date, session: SessionDep, viewer: CurrentUser) -> Response:
    service.delete_entry(session, user=viewer, day=day)
    return Response(status_code=204)


# ---------------------------------------------------------------- plans
def _plan_out(plan: TaperPlan) -> schemas.PlanOut:
    return schemas.PlanOut.model_validate(plan_json(plan))


@router.post("/diary/plans", status_code=201, response_model=schemas.PlanOut, name="api.diary.plans.create",
             responses={200: {"model": schemas.PlanOut,
                              "description": "Identical to the current plan: no new version, the current one"}})
def create_plan(body: schemas.PlanIn, response: Response, session: SessionDep,
                viewer: CurrentUser) -> schemas.PlanOut:
    data = plan_service.PlanInput(
        drug=body.drug, start_dose_mg=body.start_dose_mg, start_date=body.start_date, mode=body.mode,
        reduction_percent=body.reduction_percent if body.reduction_percent is not None
        else plan_service.DEFAULT_PERCENT,
        interval_days=body.interval_days, end_date=body.end_date, amount_mg=body.amount_mg,
        ceiling_percent=body.ceiling_percent, tablets_confirmed=body.tablets_confirmed,
        pace_confirmed=body.pace_confirmed,
    )
    saved = plan_service.save_plan(session, user=viewer, data=data)
    if not saved.added:
        response.status_code = 200
    out = _plan_out(saved.plan)
    out.pauses_not_carried_over = [schemas.HoldIn(step_index=i, days=d) for i, d in saved.pauses_left_behind]
    return out


@router.get("/diary/plans", response_model=list[schemas.PlanOut], name="api.diary.plans")
def list_plans(session: SessionDep, viewer: CurrentUser) -> list[schemas.PlanOut]:
    """Every version, newest first; the current one has "current": true."""
    return [_plan_out(p) for p in plan_service.list_plans(session, user=viewer)]


@router.get("/diary/plans/{plan_id}", response_model=schemas.PlanOut, name="api.diary.plan")
def get_plan(plan_id: Id, session: SessionDep, viewer: CurrentUser) -> schemas.PlanOut:
    return _plan_out(plan_service.access_plan(session, user=viewer, plan_id=plan_id))


@router.post("/diary/plans/{plan_id}/holds", status_code=201, response_model=schemas.PlanOut,
             name="api.diary.plan.hold")
def hold(plan_id: Id, body: schemas.HoldIn, session: SessionDep, viewer: CurrentUser) -> schemas.PlanOut:
    """Pause at a step: a new version whose later steps move by ``days``."""
    plan = plan_service.access_plan(session, user=viewer, plan_id=plan_id)
    return _plan_out(plan_service.add_hold(session, user=viewer, plan=plan, step_index=body.step_index,
                                           days=body.days))
