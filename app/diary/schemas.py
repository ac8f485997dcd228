"""JSON shapes of the medications and diary API (contract: see DESIGN.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from app.diary import plan_holds, planner, service
from app.diary import symptoms as sym
from app.diary.medications import MAX_DOSE_MG
from app.diary.plans import StepView

# Every number a client sends is bounded here, in the published schema, and again
# by the services (which the HTML forms go through): no NaN, no infinity, nothing
# so large that a calculation on it runs for long (issue 9).
Dose = Annotated[float, Field(gt=0, le=MAX_DOSE_MG, allow_inf_nan=False, description="mg per day")]
Percent = Annotated[float, Field(ge=planner.PERCENT_RANGE[0], le=planner.PERCENT_RANGE[1], allow_inf_nan=False)]
SleepHours = Annotated[float, Field(ge=service.SLEEP_RANGE[0], le=service.SLEEP_RANGE[1], allow_inf_nan=False)]
# Strict, as JSON gives them: a rating of `true` is no rating (it was stored as 1), 2.0 is not a whole
# number, and a date is a date ("2026-11-20"), not a timestamp that happens to fall at midnight.
Mood = Annotated[int, Field(ge=service.MOOD_RANGE[0], le=service.MOOD_RANGE[1], strict=True)]
Rating = Annotated[int, Field(ge=0, le=sym.MAX_RATING, strict=True)]
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "a date is written YYYY-MM-DD")
    if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
        raise PydanticCustomError("date_type", "a date is written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Flag = Annotated[bool, Field(strict=True)]
Symptoms = Annotated[dict[str, Rating], Field(max_length=len(sym.SYMPTOMS))]


class ProductOut(BaseModel):
    """One Belgian product and how far the medication reference could verify it."""

    brand: str
    market: str
    form: str
    strengths_mg: list[float]
    scored: bool
    quarterable: bool
    # The strength and form were read in a Belgian leaflet or SmPC.
    verified: bool
    # A Belgian text settles whether the tablet may be split.
    scored_verified: bool
    # False: no longer sold in Belgium (recognised, never used by the planner).
    marketed: bool
    source: str
    note: str


class MedicationOut(BaseModel):
    molecule: str
    names: dict[str, str]
    brands: list[str]
    half_life_hours: str
    half_life_class: str
    diazepam_equivalent_mg: list[float] = Field(description="mg of this molecule ≈ 10 mg diazepam (low, high)")
    source: str
    verified: bool
    products: list[ProductOut] = Field(default_factory=list)


class OtherSourceOut(BaseModel):
    source: str
    region: str
    diazepam_mg: float
    diazepam_mg_range: list[float]
    verified: bool


class EquivalenceOut(BaseModel):
    molecule: str
    dose_mg: float
    diazepam_mg: float
    source: str
    # Only where the source gives a range (e.g. "1-2 mg"): the low and high diazepam mg.
    diazepam_mg_range: list[float] | None = None
    verified: bool
    other_sources: list[OtherSourceOut]
    warnings: list[str]
    note: str


class MedicationIn(BaseModel):
    drug: str = Field(max_length=200)
    dose_mg: Dose


class EntryIn(BaseModel):
    date: Day
    medications: list[MedicationIn] = Field(default_factory=list, max_length=service.MAX_MEDICATIONS)
    # True when the member took no medication that day (a dose of 0, e.g. after stopping).
    none_taken: Flag = False
    symptoms: Symptoms = Field(default_factory=dict)
    sleep_hours: SleepHours | None = None
    mood: Mood | None = None
    note: str = Field(default="", max_length=service.MAX_NOTE_CHARS)


class EntryPatch(BaseModel):
    """PUT /diary/entries/{date}: only the fields sent change."""

    medications: list[MedicationIn] | None = Field(default=None, max_length=service.MAX_MEDICATIONS)
    none_taken: Flag | None = None
    symptoms: Symptoms | None = None
    sleep_hours: SleepHours | None = None
    mood: Mood | None = None
    note: str | None = Field(default=None, max_length=service.MAX_NOTE_CHARS)


class EntryMedicationOut(BaseModel):
    drug: str
    molecule: str
    dose_mg: float
    diazepam_mg: float


class EntryOut(BaseModel):
    id: int
    date: dt.date
    medications: list[EntryMedicationOut]
    diazepam_mg: float | None
    symptoms: dict[str, int]
    symptom_score: int
    sleep_hours: float | None
    mood: int | None
    note: str
    created: bool = False
    warnings: list[str] = Field(default_factory=list)


class PlanIn(BaseModel):
    drug: str = Field(max_length=200)
    start_dose_mg: Dose
    start_date: Day
    mode: Literal["percent", "end_date", "fixed"] = "percent"
    reduction_percent: Percent | None = None
    interval_days: int = Field(default=14, ge=planner.INTERVAL_RANGE[0], le=planner.INTERVAL_RANGE[1])
    end_date: Day | None = None
    amount_mg: Dose | None = None
    ceiling_percent: Percent | None = None
    # True when the member's pharmacy confirmed the tablets (and splits) the medication
    # reference could not verify in a Belgian leaflet; without it, steps use verified ones only.
    tablets_confirmed: bool = False
    # True when the member read that this plan goes faster than the reference pace (about 5-10 % every
    # 2-4 weeks, never more than about 25 % at once) and will discuss it with a doctor or pharmacist;
    # such a plan is refused (422, field "pace_confirmed") without it. Slower plans never need it.
    pace_confirmed: bool = False


class HoldIn(BaseModel):
    step_index: int = Field(ge=0, le=planner.MAX_STEPS)
    days: int = Field(ge=plan_holds.HOLD_RANGE[0], le=plan_holds.HOLD_RANGE[1])


class PlanOut(BaseModel):
    id: int
    version: int
    current: bool
    drug: str
    molecule: str
    mode: str
    start_date: dt.date
    start_dose_mg: float
    reduction_percent: float | None
    interval_days: int
    amount_mg: float | None
    end_date: dt.date | None
    ceiling_percent: float
    holds: list[HoldIn]
    warnings: list[str]
    tablets_confirmed: bool = False
    # The plan's pace against the reference: "usual", "above_usual" or "faster_than_reference".
    pace: str = "usual"
    steps: list[StepView]
    pauses_not_carried_over: list[HoldIn] = Field(default_factory=list, description=(
        "Only in the answer to creating a plan: the pauses of the plan it replaced, which a new pace, "
        "calculated afresh from its start date and dose, does not carry over (that version keeps them, "
        "in the history). Tell the member; they can add pauses to the new plan."))
