"""The opt-in "taper line" under a member's forum posts.

Stored denormalised in ``diary_taper_lines`` (refreshed whenever entries or
settings change) so that a thread page loads the lines of all its authors in
one query. The text is written at render time, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import QueryableAttribute, Session

from app.db import serialize
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary.models import DiarySettings, DiaryVisibility, Entry, EntryMedication, TaperLine
from app.i18n import format_date, format_number, gettext

#: The turn (app.db.serialize) a member's diary settings and taper line are changed under.
TURN = "diary-settings"


@dataclass(frozen=True)
class TaperLineView:
    text: str
    user_id: int
    members_can_view: bool


@dataclass(frozen=True)
class _Figures:
    molecule: str
    first: float
    latest: float
    started_on: dt.date
    stopped_on: dt.date | None


def _figures(session: Session, user_id: int) -> _Figures | None:
    rows = session.execute(
        select(Entry.id, Entry.day, Entry.diazepam_mg)
        .where(Entry.user_id == user_id, Entry.diazepam_mg.is_not(None))
        .order_by(Entry.day)
    ).all()
    if not rows:
        return None
    per_entry: dict[int, dict[str, float]] = {}
    for entry_id, molecule, dose in session.execute(
        select(EntryMedication.entry_id, EntryMedication.molecule, EntryMedication.dose_mg)
        .join(Entry, Entry.id == EntryMedication.entry_id)
        .where(Entry.user_id == user_id)
    ):
        doses = per_entry.setdefault(entry_id, {})
        doses[molecule] = doses.get(molecule, 0.0) + dose
    molecules = {m for doses in per_entry.values() for m in doses}
    # One molecule all along: speak in its mg. Several (a switch, a combination):
    # only the diazepam equivalents are comparable from first to latest.
    if len(molecules) == 1:
        (molecule,) = molecules
        first = per_entry.get(rows[0].id, {}).get(molecule, 0.0)
        latest = per_entry.get(rows[-1].id, {}).get(molecule, 0.0)
    else:
        molecule, first, latest = "", rows[0].diazepam_mg or 0.0, rows[-1].diazepam_mg or 0.0
    stopped_on = None
    if (rows[-1].diazepam_mg or 0.0) == 0:
        stopped_on = rows[-1].day
        for row in reversed(rows):
            if row.diazepam_mg:
                break
            stopped_on = row.day
    return _Figures(molecule, round(first, 3), round(latest, 3), rows[0].day, stopped_on)


def refresh(session: Session, *, user_id: int, today: dt.date) -> None:
    """Recompute the member's line from the diary, or remove it (opted out, or no dose logged).

    One refresh at a time per member: two days saved at once (two tabs, a syncing app) each read the
    diary after the other's commit, so the line holds both and is inserted once (not twice: a 500).
    """
    serialize(session, TURN, user_id)
    settings = session.get(DiarySettings, user_id)
    line = session.get(TaperLine, user_id, populate_existing=True)
    figures = _figures(session, user_id) if settings is not None and settings.taper_line else None
    if figures is None:
        if line is not None:
            session.delete(line)
            session.flush()
        return
    if line is None:
        line = TaperLine(user_id=user_id)
        session.add(line)
    line.molecule = figures.molecule
    line.first_dose_mg = figures.first
    line.latest_dose_mg = figures.latest
    line.started_on = figures.started_on
    line.stopped_on = figures.stopped_on
    line.members_can_view = settings is not None and settings.visibility == DiaryVisibility.members
    session.flush()


def _day_text(day: dt.date, locale: str, today: dt.date) -> str:
    return format_date(day, locale, "d MMMM" if day.year == today.year else "d MMMM y")


def _medication_name(molecule: str, locale: str) -> str:
    try:
        name = med_names.get_medication(molecule).name(locale)
    except meds.UnknownMedication:
        name = molecule
    return name[:1].upper() + name[1:]


def describe(line: TaperLine, locale: str, today: dt.date) -> str:
    """The line in ``locale`` (the reader's language): numbers and dates formatted by Babel."""
    if line.stopped_on is not None:
        return gettext("Benzo-free since %(date)s", date=_day_text(line.stopped_on, locale, today))
    day = format_number(max((today - line.started_on).days + 1, 1), locale)
    first, latest = format_number(line.first_dose_mg, locale), format_number(line.latest_dose_mg, locale)
    if not line.molecule:
        if line.first_dose_mg == line.latest_dose_mg:
            return gettext("%(first)s mg diazepam equivalent · day %(day)s of my taper", first=first, day=day)
        return gettext("%(first)s mg → %(latest)s mg diazepam equivalent · day %(day)s of my taper",
                       first=first, latest=latest, day=day)
    name = _medication_name(line.molecule, locale)
    if line.first_dose_mg == line.latest_dose_mg:
        return gettext("%(medication)s %(first)s mg · day %(day)s of my taper", medication=name, first=first,
                       day=day)
    return gettext("%(medication)s %(first)s mg → %(latest)s mg · day %(day)s of my taper", medication=name,
                   first=first, latest=latest, day=day)


def with_taper_lines(query: Select, author_id: QueryableAttribute[int | None]) -> Select:
    """Add each row's author's taper line (or None) as the last column, by an outer join.

    Lets a page that already loads posts and authors get the lines in the same
    query (the forum thread page has a query budget).
    """
    return query.add_columns(TaperLine).join(TaperLine, TaperLine.user_id == author_id, isouter=True)


def views_of(lines: Iterable[TaperLine | None], *, locale: str, today: dt.date) -> dict[int, TaperLineView]:
    found = {line.user_id: line for line in lines if line is not None}
    return {
        uid: TaperLineView(describe(line, locale, today), uid, line.members_can_view) for uid, line in found.items()
    }
