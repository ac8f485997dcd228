"""Form parsing for the diary pages: the raw text is kept so a failed form loses nothing."""

from __future__ import annotations

import datetime as dt
import re

from app.diary import symptoms as sym
from app.diary.models import Entry
from app.diary.plans import PlanInput, check_input
from app.diary.service import MAX_MEDICATIONS, EntryInput, MedicationInput, check_entry, parse_number, today
from app.errors import Problems, ValidationFailed
from app.i18n import get_locale
from app.i18n_markers import N_
from app.web.params import EARLIEST_DATE, LATEST_DATE, in_date_range

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MEDICATION_ROWS = MAX_MEDICATIONS  # every medication an entry may hold has a row, so editing drops none


def form_number(value: float) -> str:
    """A number as the member would type it: "1,5" in French and Dutch (parse_number reads both)."""
    text = f"{value:g}"
    return text if get_locale() == "en" else text.replace(".", ",")


def apply_suggestion(form: dict[str, str]) -> dict[str, str]:
    """A tapped known name (`use_drug_N`) replaces what was typed in row N."""
    chosen = dict(form)
    for index in range(MEDICATION_ROWS):
        name = chosen.pop(f"use_drug_{index}", "").strip()
        if name:
            chosen[f"drug_{index}"] = name
    return chosen


def parse_day(text: str, field: str = "day") -> dt.date:
    text = text.strip()
    try:
        if not _ISO_DAY.fullmatch(text):  # fromisoformat also reads "20261120" and "2026-W47-5"
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(N_("Enter a date, for example 2026-03-12."), field=field) from None
    if not in_date_range(day):
        raise ValidationFailed(N_("Choose a date between %(first)s and %(last)s."), field=field,
                               first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat())
    return day


def parse_int(text: str, field: str) -> int | None:
    try:
        value = parse_number(text, field)
    except ValidationFailed:  # not "a number, for example 0.5": the example would be refused next
        raise ValidationFailed(N_("Enter a whole number."), field=field) from None
    if value is None:
        return None
    if value != int(value):
        raise ValidationFailed(N_("Enter a whole number."), field=field)
    return int(value)


def entry_input(form: dict[str, str], now: dt.date | None = None) -> EntryInput:
    """The entry a diary form describes; raises ValidationFailed naming the field (ValidationErrors naming
    each one, with the service's own checks of the fields that could be read, when there are several)."""
    problems = Problems()
    medications = []
    for index in range(MEDICATION_ROWS):
        drug, dose = form.get(f"drug_{index}", "").strip(), form.get(f"dose_{index}", "").strip()
        if drug or dose:
            medications.append(MedicationInput(drug, problems.check(parse_number, dose, f"dose_{index}")))
    ratings = {}
    for key in sym.SYMPTOMS:
        raw = form.get(f"sym_{key}", "")
        if raw:
            rating = problems.check(parse_int, raw, "symptoms")
            if rating is not None:
                ratings[key] = rating
    now = now or today()
    day = problems.check(parse_day, form.get("day", ""))
    data = EntryInput(
        day=day or now, medications=medications, none_taken=bool(form.get("none_taken")),
        symptoms=ratings, sleep_hours=problems.check(parse_number, form.get("sleep_hours", ""), "sleep_hours"),
        mood=problems.check(parse_int, form.get("mood", ""), "mood"), note=form.get("note", ""),
    )
    if problems.errors:
        check_entry(data, now=now, problems=problems)  # raises, with what else is wrong
    return data


def entry_form(entry: Entry | None, day: dt.date) -> dict[str, str]:
    """The form's fields for an existing entry (or an empty one for ``day``)."""
    form = {"day": day.isoformat()}
    if entry is None:
        return form
    for index, med in enumerate(entry.medications[:MEDICATION_ROWS]):
        form[f"drug_{index}"] = med.drug
        form[f"dose_{index}"] = form_number(med.dose_mg)
    for key, rating in entry.symptoms.items():
        form[f"sym_{key}"] = str(rating)
    if entry.diazepam_mg == 0 and not entry.medications:
        form["none_taken"] = "1"
    form.update(sleep_hours="" if entry.sleep_hours is None else form_number(entry.sleep_hours),
                mood="" if entry.mood is None else str(entry.mood), note=entry.note, original_day=day.isoformat())
    return form


def plan_input(form: dict[str, str], default_start: dt.date) -> PlanInput:
    """The plan a form describes; raises ValidationFailed naming the field (ValidationErrors naming each
    one, with the plan's own checks of the fields that could be read, when there are several)."""
    problems = Problems()
    mode = form.get("mode", "percent")
    start = form.get("start_date", "").strip()
    end = form.get("end_date", "").strip()

    def number(name: str) -> float | None:
        return problems.check(parse_number, form.get(name, ""), name)

    data = PlanInput(
        drug=form.get("drug", ""), start_dose_mg=number("start_dose_mg"),
        start_date=(problems.check(parse_day, start, "start_date") if start else None) or default_start, mode=mode,
        reduction_percent=number("reduction_percent"),
        interval_days=problems.check(parse_int, form.get("interval_days", ""), "interval_days"),
        end_date=problems.check(parse_day, end, "end_date") if end and mode == "end_date" else None,
        amount_mg=number("amount_mg") if mode == "fixed" else None,
        ceiling_percent=number("ceiling_percent"),
        tablets_confirmed=bool(form.get("tablets_confirmed")),
        pace_confirmed=bool(form.get("pace_confirmed")),
    )
    if problems.errors:
        check_input(data, today(), problems)  # raises, with what else is wrong
    return data
