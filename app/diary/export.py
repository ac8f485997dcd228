"""A member's own diary as JSON (also part of the account's data download) and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.diary import plans as plan_service
from app.diary import symptoms as sym
from app.diary.models import Entry, TaperPlan
from app.diary.service import get_diary_settings, list_entries
from app.diary.sharing import list_share_links
from app.i18n import gettext
from app.web.downloads import BOM, EXCEL_DELIMITER, spreadsheet_safe


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "date": entry.day.isoformat(),
        "medications": [
            {"drug": m.drug, "molecule": m.molecule, "dose_mg": m.dose_mg, "diazepam_mg": m.diazepam_mg}
            for m in entry.medications
        ],
        "diazepam_mg": entry.diazepam_mg,
        "symptoms": dict(entry.symptoms),
        "symptom_score": entry.symptom_score,
        "sleep_hours": entry.sleep_hours,
        "mood": entry.mood,
        "note": entry.note,
        "updated_at": entry.updated_at.isoformat(),
    }


def plan_json(plan: TaperPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "version": plan.version,
        "current": plan.is_current,
        "drug": plan.drug,
        "molecule": plan.molecule,
        "mode": plan.mode,
        "start_date": plan.start_date.isoformat(),
        "start_dose_mg": plan.start_dose_mg,
        "reduction_percent": plan.percent,
        "interval_days": plan.interval_days,
        "amount_mg": plan.amount_mg,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "ceiling_percent": plan.ceiling_percent,
        "holds": [{"step_index": index, "days": days} for index, days in plan.holds],
        "warnings": list(plan.warnings),
        "tablets_confirmed": bool(plan.tablets_confirmed),
        "pace": plan_service.pace_of(plan),
        "created_at": plan.created_at.isoformat(),
        "superseded_at": plan.superseded_at.isoformat() if plan.superseded_at else None,
        "steps": [dict(step) for step in plan.steps],
    }


def export_member_diary(session: Session, *, user: User) -> dict[str, object]:
    """Everything the diary holds about the member (share tokens exist only hashed: not included)."""
    settings = get_diary_settings(session, user_id=user.id)
    return {
        "settings": {"visibility": settings.visibility, "taper_line": settings.taper_line,
                     "questions": settings.questions},
        "entries": [entry_json(e) for e in list_entries(session, user=user)],
        "plans": [plan_json(p) for p in plan_service.list_plans(session, user=user)],
        "share_links": [
            {"label": link.label, "created_at": link.created_at.isoformat(),
             "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None}
            for link in list_share_links(session, user=user)
        ],
    }


#: What each column holds, under the stable keys diary.json uses (JSON is the format for tools).
#: "medications" holds the names, "dose_mg" their doses in the same order: the doses had no column of their
#: own (round 31), and theirs was added at the end so that every earlier column keeps its place.
CSV_COLUMNS = ["date", "medications", "diazepam_mg", *sym.SYMPTOMS, "symptom_score", "sleep_hours", "mood", "note",
               "dose_mg"]


def csv_header() -> list[str]:
    """The header row, in the current locale: the CSV is for people, so its columns are named in their language."""
    return [
        gettext("Date"), gettext("Medication"), gettext("Diazepam equivalent (mg)"),
        *[gettext("%(symptom)s (0 to 3)", symptom=gettext(label)) for label in sym.SYMPTOMS.values()],
        gettext("Symptom score"), gettext("Hours slept"), gettext("Mood (1 to 5)"), gettext("Note"),
        gettext("Dose (mg)"),
    ]


def export_csv(session: Session, *, user: User, excel: bool = False) -> str:
    """One row per day, headed in the current locale; symptoms rated 0-3 (empty: not rated), mood 1-5.

    Comma-separated, quoted where needed (RFC 4180), numbers with a decimal point,
    after a byte-order mark; the columns are CSV_COLUMNS in that order (the file in the
    member's data download: keep it so). `excel`: the same rows for Excel with Belgian
    settings (app.web.downloads.EXCEL_DELIMITER): ";" between cells and decimal commas.
    """
    def number(value: float) -> str:
        written = f"{value:g}"
        return written.replace(".", ",") if excel else written

    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=EXCEL_DELIMITER if excel else ",")
    writer.writerow(csv_header())
    for entry in list_entries(session, user=user):
        # One day may hold several medications: names and doses in the same order, "; " between them.
        medications = "; ".join(m.drug for m in entry.medications)
        doses = "; ".join(number(m.dose_mg) for m in entry.medications)
        if not entry.medications and entry.diazepam_mg == 0:
            doses = number(0)  # "none taken" (after stopping): a dose of 0, not an empty cell (not filled in)
        writer.writerow([
            entry.day.isoformat(), spreadsheet_safe(medications),
            "" if entry.diazepam_mg is None else number(entry.diazepam_mg),
            *[entry.symptoms.get(key, "") for key in sym.SYMPTOMS],
            entry.symptom_score if entry.symptoms else "",
            "" if entry.sleep_hours is None else number(entry.sleep_hours),
            "" if entry.mood is None else entry.mood,
            spreadsheet_safe(entry.note),
            doses,
        ])
    return buffer.getvalue()


# ---------------------------------------------------------------- research exports
@dataclass(frozen=True)
class EntryForResearch:
    """One diary day without its free-text note (notes never leave the diary)."""

    user_id: int
    day: dt.date
    diazepam_mg: float | None
    medications: tuple[tuple[str, float], ...]  # (molecule, dose_mg)
    symptoms: dict[str, int]
    symptom_score: int | None
    sleep_hours: float | None
    mood: int | None


def iter_entries_for_research(session: Session, *, user_ids: Iterable[int], since: dt.date | None = None,
                              until: dt.date | None = None, batch: int = 200) -> Iterator[EntryForResearch]:
    """Entries of the given members, a batch of members at a time, in (member, day) order."""
    ids = sorted(set(user_ids))
    for offset in range(0, len(ids), batch):
        query = (select(Entry).options(selectinload(Entry.medications))
                 .where(Entry.user_id.in_(ids[offset:offset + batch])).order_by(Entry.user_id, Entry.day))
        if since is not None:
            query = query.where(Entry.day >= since)
        if until is not None:
            query = query.where(Entry.day < until)
        for entry in session.scalars(query):
            yield EntryForResearch(
                user_id=entry.user_id, day=entry.day, diazepam_mg=entry.diazepam_mg,
                medications=tuple((m.molecule, m.dose_mg) for m in entry.medications),
                symptoms=dict(entry.symptoms), symptom_score=entry.symptom_score if entry.symptoms else None,
                sleep_hours=entry.sleep_hours, mood=entry.mood,
            )
