"""Diary operations: entries (one per day, merged), settings, export. No HTTP here."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import i18n
from app.accounts.models import User
from app.db import serialize
from app.diary import equivalents, taper_line
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary import symptoms as sym
from app.diary.errors import DoseReview, bidi_in_drug_name, dose_too_small, invalid_dose, unknown_medication
from app.diary.models import DiarySettings, DiaryVisibility, Entry, EntryMedication, ShareLink, TaperLine, TaperPlan
from app.errors import Conflict, NotFound, Problems, ValidationFailed
from app.i18n import BRUSSELS
from app.i18n_markers import N_
from app.pagination import Page, offset_for, pages_for
from app.plain_text import has_bidi_controls, refuse_bidi_overrides, strip_controls

MAX_MEDICATIONS = 4
#: The smallest dose a diary entry takes. Pages show doses with at most three decimals and
#: diazepam equivalents with two, so 0.0000001 mg read "0 mg (≈ 0 mg diazepam)". 10 micrograms
#: is about the least a liquid taper measures out; anything smaller is a slip (a decimal too many).
MIN_DOSE_MG = 0.01
MAX_NOTE_CHARS = 5000
MAX_QUESTIONS_CHARS = 5000
MOOD_RANGE = (1, 5)
SLEEP_RANGE = (0.0, 24.0)
EARLIEST_DAY = dt.date(1970, 1, 1)
ENTRY_FIELDS = frozenset({"medications", "none_taken", "symptoms", "sleep_hours", "mood", "note"})


def today() -> dt.date:
    """The member's calendar day: the forum is Belgian, so Brussels time decides."""
    return dt.datetime.now(BRUSSELS).date()


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str | float | None, field_name: str) -> float | None:
    """A number from a form: "0,5" and "0.5" both work (Belgian keyboards use the comma)."""
    if text is None or isinstance(text, float | int):
        return None if text is None else float(text)
    text = text.strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    if not _DECIMAL.fullmatch(text):  # float() also reads "1_000", "0_5", "infinity": no one means those as a dose
        raise ValidationFailed(N_("Enter a number, for example 0.5 or 2."), field=field_name)
    try:
        value = float(text)
    except ValueError:
        raise ValidationFailed(N_("Enter a number, for example 0.5 or 2."), field=field_name) from None
    if not math.isfinite(value):
        raise ValidationFailed(N_("Enter a number, for example 0.5 or 2."), field=field_name)
    return value


# ---------------------------------------------------------------- input
@dataclass(frozen=True)
class MedicationInput:
    drug: str
    dose_mg: float | None


@dataclass
class EntryInput:
    """What a member sent. ``provided`` names the fields to change; others keep their value.

    Forms send every field; JSON clients may send only some (a second post for
    the same day merges into the first).
    """

    day: dt.date
    medications: Sequence[MedicationInput] = ()
    none_taken: bool = False
    symptoms: Mapping[str, int] = field(default_factory=dict)
    sleep_hours: float | None = None
    mood: int | None = None
    note: str = ""
    provided: frozenset[str] = ENTRY_FIELDS
    merge_symptoms: bool = False


@dataclass(frozen=True)
class ResolvedMedication:
    drug: str
    molecule: str
    dose_mg: float
    diazepam_mg: float


@dataclass
class SavedEntry:
    entry: Entry
    created: bool
    warnings: list[str]


def _check_day(day: dt.date, now: dt.date) -> None:
    if day > now:
        raise ValidationFailed(N_("This date is in the future. A diary entry is for today or an earlier day."),
                               field="day")
    if day < EARLIEST_DAY:
        raise ValidationFailed(N_("Check the date: it is too far in the past."), field="day")


def resolve_medications(items: Sequence[MedicationInput]) -> list[ResolvedMedication]:
    """Each medication with its molecule and diazepam equivalent; fields named drug_<i>, dose_<i>."""
    if len(items) > MAX_MEDICATIONS:
        raise ValidationFailed(N_("A diary entry holds at most %(max)s medications."), field="drug_0",
                               max=MAX_MEDICATIONS)
    problems = Problems()
    resolved = [problems.check(_resolve, index, item) for index, item in enumerate(items)]
    problems.raise_any()  # every row's problem at once
    return [medication for medication in resolved if medication is not None]


def check_dose(dose_mg: float | None, field: str) -> float:
    """A dose as a member may enter it: a number, and one that can be measured out (MIN_DOSE_MG at least).

    The rest (above zero, at most MAX_DOSE_MG, finite) is the reference's check (meds.InvalidDose).
    """
    if dose_mg is None:
        raise invalid_dose(field)
    if 0 < dose_mg < MIN_DOSE_MG:
        raise dose_too_small(field, MIN_DOSE_MG)
    return dose_mg


def _resolve(index: int, item: MedicationInput) -> ResolvedMedication:
    drug = " ".join(item.drug.split())[:80]
    if not drug:
        raise ValidationFailed(N_("Write the name of the medication for this dose."), field=f"drug_{index}")
    if has_bidi_controls(drug):
        raise bidi_in_drug_name(f"drug_{index}")
    dose = check_dose(item.dose_mg, f"dose_{index}")
    try:
        eq = equivalents.equivalence(drug, dose)
    except meds.UnknownMedication as exc:
        raise unknown_medication(exc, f"drug_{index}") from None
    except meds.InvalidDose:
        raise invalid_dose(f"dose_{index}") from None
    return ResolvedMedication(drug, eq.molecule, eq.dose_mg, eq.diazepam_mg)


def dose_warnings(resolved: Sequence[ResolvedMedication]) -> list[str]:
    """"dose_implausible" when a dose is far above any usual daily dose (a typing-error guard)."""
    total = sum(m.diazepam_mg for m in resolved)
    high = any(m.dose_mg > equivalents.plausible_max_daily_mg(m.molecule) for m in resolved)
    return ["dose_implausible"] if high or total > meds.PLAUSIBLE_CEILING_DIAZEPAM_MG else []


def withdrawn_names(drugs: Sequence[str]) -> list[str]:
    """The names as the member wrote them that point to a product no longer sold in Belgium ("Rohypnol 2 mg")."""
    return [drug for drug in drugs if med_names.withdrawn_products(drug)]


def _check_ratings(symptoms: Mapping[str, int]) -> dict[str, int]:
    try:
        return sym.validate_ratings(symptoms)
    except ValueError:
        raise ValidationFailed(N_("Rate each symptom from 0 (none) to 3 (severe)."), field="symptoms") from None


def _check_extras(data: EntryInput, problems: Problems) -> dict[str, int]:
    ratings = problems.check(_check_ratings, data.symptoms)
    if data.sleep_hours is not None and not SLEEP_RANGE[0] <= data.sleep_hours <= SLEEP_RANGE[1]:
        problems.errors.append(ValidationFailed(N_("Hours slept are between 0 and 24."), field="sleep_hours"))
    if data.mood is not None and not MOOD_RANGE[0] <= data.mood <= MOOD_RANGE[1]:
        problems.errors.append(ValidationFailed(N_("Choose a mood from 1 to 5."), field="mood"))
    if len(data.note) > MAX_NOTE_CHARS:
        problems.errors.append(ValidationFailed(N_("Your note is too long (%(max)s characters at most)."),
                                                field="note", max=MAX_NOTE_CHARS))
    problems.check(refuse_bidi_overrides, data.note, field="note")
    return ratings or {}


# The day form's fields, top to bottom: an error summary lists the problems in this order.
_ENTRY_ORDER = ("day", "medications", "none_taken", "symptoms", "sleep_hours", "mood", "note")


def _entry_position(field: str | None) -> tuple[int, int, int]:
    kind, _, row = (field or "").partition("_")
    if kind in ("drug", "dose") and row.isdigit():
        return _ENTRY_ORDER.index("medications"), int(row), int(kind == "dose")
    return (_ENTRY_ORDER.index(field) if field in _ENTRY_ORDER else len(_ENTRY_ORDER)), 0, 0


def check_entry(data: EntryInput, *, now: dt.date, problems: Problems | None = None,
                ) -> tuple[list[ResolvedMedication] | None, dict[str, int]]:
    """Every problem of an entry at once, in the form's order (ValidationErrors when there are several);
    else its medications resolved (None when the entry does not give them) and its symptom ratings.

    With `problems` (what reading the form already found), those come first, and a field they name
    is not reported twice.
    """
    problems = problems or Problems()
    found = Problems()
    found.check(_check_day, data.day, now)
    resolved = found.check(resolve_medications, data.medications) if "medications" in data.provided else None
    if data.none_taken and data.medications and {"none_taken", "medications"} <= data.provided:
        # Saved, one of them was silently dropped (the medications won): the member says which is true.
        found.errors.append(ValidationFailed(N_("You ticked “I took no benzodiazepine or Z-drug this day” and "
                                                "listed a medication: keep only one of them."), field="none_taken"))
    ratings = _check_extras(data, found)
    reported = {error.field for error in problems.errors}
    problems.errors += [error for error in found.errors if error.field not in reported]
    problems.errors.sort(key=lambda error: _entry_position(error.field))
    problems.raise_any()
    return resolved, ratings


# ---------------------------------------------------------------- entries
def get_entry(session: Session, *, user: User, day: dt.date) -> Entry | None:
    return session.scalar(
        select(Entry).options(selectinload(Entry.medications)).where(Entry.user_id == user.id, Entry.day == day)
    )


def access_entry(session: Session, *, user: User, day: dt.date) -> Entry:
    entry = get_entry(session, user=user, day=day)
    if entry is None:
        raise NotFound()
    return entry


def latest_free_day(session: Session, *, user: User, before: dt.date) -> dt.date:
    """The latest day before ``before`` that has no entry of the member's (one query)."""
    taken = set(session.scalars(select(Entry.day).where(Entry.user_id == user.id, Entry.day < before,
                                                        Entry.day >= max(EARLIEST_DAY, before - dt.timedelta(366)))))
    day = before - dt.timedelta(days=1)
    while day in taken and day > EARLIEST_DAY:
        day -= dt.timedelta(days=1)
    return day


def list_entries(session: Session, *, user: User, start: dt.date | None = None, end: dt.date | None = None,
                 newest_first: bool = False, limit: int | None = None, offset: int = 0) -> list[Entry]:
    query = select(Entry).options(selectinload(Entry.medications)).where(Entry.user_id == user.id)
    if start is not None:
        query = query.where(Entry.day >= start)
    if end is not None:
        query = query.where(Entry.day <= end)
    query = query.order_by(Entry.day.desc() if newest_first else Entry.day)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query.offset(offset)))


def page_entries(session: Session, *, user: User, page: int, size: int) -> Page[Entry]:
    """One page of the member's days, newest first."""
    total = session.scalar(select(func.count(Entry.id)).where(Entry.user_id == user.id)) or 0
    items = list_entries(session, user=user, newest_first=True, limit=size, offset=offset_for(page, size))
    return Page(items=items, page=page, pages=pages_for(total, size), total=total)


class DayTaken(Conflict):
    """The date chosen for a new or moved entry already has an entry of its own: never overwritten."""

    default_message = N_("You already have an entry for %(date)s. Nothing was saved: open that day's entry to "
                         "change it, or choose another date.")

    def __init__(self, day: dt.date, *, field: str = "day") -> None:
        super().__init__(field=field, date=i18n.format_date(day, i18n.get_locale(), "long"))
        self.day = day
        self.extra = {"existing_date": day.isoformat()}


def save_entry(session: Session, *, user: User, data: EntryInput, now: dt.date | None = None,
               dose_confirmed: bool = True, moved_from: dt.date | None = None,
               new_day_only: bool = False) -> SavedEntry:
    """Create the day's entry, or update it (merge) when the day already has one.

    ``moved_from``: the day this entry was on when the member changed its date
    in the edit form; that day's entry is removed once this one is saved. A move
    onto a date that has an entry of its own is refused (DayTaken), as is any
    save with ``new_day_only`` (the form's "add a day") on such a date: another
    day's note, mood and doses are never overwritten.
    Raises ValidationFailed for bad input and DoseReview for an unusually high
    dose not yet confirmed (forms ask once; the API saves and returns a warning).
    """
    resolved, ratings = check_entry(data, now=now or today())
    warnings = dose_warnings(resolved or [])
    if warnings and not dose_confirmed:
        raise DoseReview(warnings)
    # Recognised and saved as written, never refused; the member is told (the page and the API).
    if withdrawn_names([m.drug for m in resolved or []]):
        warnings = [*warnings, "product_not_marketed"]
    entry = get_entry(session, user=user, day=data.day)
    moving = moved_from is not None and moved_from != data.day
    if entry is not None and (moving or (new_day_only and moved_from is None)):
        raise DayTaken(data.day)
    created = entry is None
    if entry is None:
        entry = Entry(user_id=user.id, day=data.day, symptoms={}, note="", medications=[])
    _apply(entry, data, resolved, ratings)
    if created:
        entry, created = _insert(session, user=user, entry=entry, data=data, resolved=resolved, ratings=ratings,
                                 merge=not (moving or new_day_only))
    if moved_from is not None and moved_from != data.day:
        old = get_entry(session, user=user, day=moved_from)
        if old is not None:
            session.delete(old)
    session.flush()
    taper_line.refresh(session, user_id=user.id, today=now or today())
    return SavedEntry(entry=entry, created=created, warnings=warnings)


def _insert(session: Session, *, user: User, entry: Entry, data: EntryInput,
            resolved: list[ResolvedMedication] | None, ratings: dict[str, int],
            merge: bool = True) -> tuple[Entry, bool]:
    """The entry written, and whether it was created: False when the day's entry came from another request.

    Two posts for the same new day can race (two tabs, a retrying client):
    the unique (user, day) constraint decides, and the loser merges instead
    (or, where another day's entry must never be overwritten, is refused). The
    loser created nothing: it answers as an update (the API's 200, created false),
    as it would have one moment later.
    """
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
        return entry, True
    except IntegrityError:
        existing = get_entry(session, user=user, day=data.day)
        if existing is None:
            raise
        if not merge:
            raise DayTaken(data.day) from None
        _apply(existing, data, resolved, ratings)
        return existing, False


def _apply(entry: Entry, data: EntryInput, resolved: list[ResolvedMedication] | None,
           ratings: dict[str, int]) -> None:
    provided = data.provided
    if resolved is not None:
        entry.medications = [
            EntryMedication(position=i, drug=m.drug, molecule=m.molecule, dose_mg=m.dose_mg, diazepam_mg=m.diazepam_mg)
            for i, m in enumerate(resolved)
        ]
    if resolved is not None or "none_taken" in provided:
        doses = [m.diazepam_mg for m in entry.medications]
        none_taken = data.none_taken if "none_taken" in provided else entry.diazepam_mg == 0
        entry.diazepam_mg = equivalents.round_mg(sum(doses)) if doses else (0.0 if none_taken else None)
    if "symptoms" in provided:
        entry.symptoms = {**entry.symptoms, **ratings} if data.merge_symptoms else ratings
    if "sleep_hours" in provided:
        entry.sleep_hours = data.sleep_hours
    if "mood" in provided:
        entry.mood = data.mood
    if "note" in provided:
        entry.note = strip_controls(data.note).strip()


def delete_entry(session: Session, *, user: User, day: dt.date) -> None:
    entry = access_entry(session, user=user, day=day)
    session.delete(entry)
    session.flush()
    taper_line.refresh(session, user_id=user.id, today=today())


# ---------------------------------------------------------------- settings
USUAL_SYMPTOMS_LOOKBACK = 30


def usual_symptoms(session: Session, *, user: User) -> list[str]:
    """The symptoms the member rated above zero in their latest entries, most frequent first."""
    recent = session.scalars(
        select(Entry.symptoms).where(Entry.user_id == user.id).order_by(Entry.day.desc()).limit(USUAL_SYMPTOMS_LOOKBACK)
    )
    counts: dict[str, int] = {}
    for ratings in recent:
        for key, value in (ratings or {}).items():
            if value:
                counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda key: (-counts[key], key))


def get_diary_settings(session: Session, *, user_id: int) -> DiarySettings:
    """The member's diary settings; defaults (private, no taper line) when never saved."""
    found = session.get(DiarySettings, user_id)
    return found or DiarySettings(user_id=user_id, visibility=DiaryVisibility.private, taper_line=False,
                                  questions="")


def _settings_row(session: Session, user: User) -> DiarySettings:
    """The member's settings, for a change. Saved twice at once, the second reads what the first wrote instead
    of inserting the member's one row again (the taper line takes the same turn: taper_line.refresh)."""
    serialize(session, taper_line.TURN, user.id)
    row = session.get(DiarySettings, user.id, populate_existing=True)
    if row is None:
        row = DiarySettings(user_id=user.id, visibility=DiaryVisibility.private, taper_line=False, questions="")
        session.add(row)
    return row


def update_settings(session: Session, *, user: User, visibility: str, taper_line_on: bool) -> DiarySettings:
    if visibility not in {v.value for v in DiaryVisibility}:
        raise ValidationFailed(N_("Choose who can see your diary."), field="visibility")
    row = _settings_row(session, user)
    row.visibility = DiaryVisibility(visibility)
    row.taper_line = taper_line_on
    session.flush()
    taper_line.refresh(session, user_id=user.id, today=today())
    return row


def save_questions(session: Session, *, user: User, questions: str) -> DiarySettings:
    questions = refuse_bidi_overrides(strip_controls(questions).strip(), field="questions")
    if len(questions) > MAX_QUESTIONS_CHARS:
        raise ValidationFailed(N_("Your questions are too long (%(max)s characters at most)."), field="questions",
                               max=MAX_QUESTIONS_CHARS)
    row = _settings_row(session, user)
    row.questions = questions
    session.flush()
    return row



# ---------------------------------------------------------------- erasure
def erase_member_diary(session: Session, *, user: User) -> None:
    """Delete everything the diary holds about the member (before their account goes).

    Every diary row also cascades from the account in the database; deleting
    here says so in code, and holds should the account one day be kept.
    """
    for model in (Entry, TaperPlan, ShareLink, TaperLine, DiarySettings):
        session.execute(delete(model).where(model.user_id == user.id))
