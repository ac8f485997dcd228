"""JSON shapes of the medications and diary API (contract: see DESIGN.md)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from app.diary.plans import StepView


class MedicationOut(BaseModel):
    molecule: str
    names: dict[str, str]
    brands: list[str]
    half_life_hours: str
    half_life_class: str
    diazepam_equivalent_mg: list[float] = Field(description="mg of this molecule ≈ 10 mg diazepam (low, high)")
    source: str
    verified: bool


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
    dose_mg: float


class EntryIn(BaseModel):
    date: dt.date
    medications: list[MedicationIn] = Field(default_factory=list, max_length=10)
    # True when the member took no medication that day (a dose of 0, e.g. after stopping).
    none_taken: bool = False
    symptoms: dict[str, int] = Field(default_factory=dict)
    sleep_hours: float | None = None
    mood: int | None = None
    note: str = Field(default="", max_length=20_000)


class EntryPatch(BaseModel):
    """PUT /diary/entries/{date}: only the fields sent change."""

    medications: list[MedicationIn] | None = Field(default=None, max_length=10)
    none_taken: bool | None = None
    symptoms: dict[str, int] | None = None
    sleep_hours: float | None = None
    mood: int | None = None
    note: str | None = Field(default=None, max_length=20_000)


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
    start_dose_mg: float
    start_date: dt.date
    mode: Literal["percent", "end_date", "fixed"] = "percent"
    reduction_percent: float | None = None
    interval_days: int = 14
    end_date: dt.date | None = None
    amount_mg: float | None = None
    ceiling_percent: float | None = None


class HoldIn(BaseModel):
    step_index: int
    days: int


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
    steps: list[StepView]
