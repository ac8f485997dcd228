"""Ready-to-render data for the diary pages: rows, chart, plan, pause suggestion.

Templates never query; every page that shows the diary (the member's own
pages, the printable summary, a share link, a member's view) is built here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup  # noqa: TID251 - chart.py escapes every text it writes into the SVG
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.diary import citations, equivalents
from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.diary import plans as plan_service
from app.diary import symptoms as sym
from app.diary.chart import NARROW, WIDE, ChartPoint, render_chart_svg
from app.diary.models import Entry, TaperPlan
from app.diary.service import get_diary_settings, list_entries, today
from app.i18n import format_date, format_number, gettext

SUMMARY_WEEKS = 8


@dataclass(frozen=True)
class EquivalenceInfo:
    """One medication dose with its diazepam equivalent, its range and where it comes from."""

    drug: str  # as the member wrote it ("Loramet"): shown first
    name: str  # the molecule in the reader's language
    dose_mg: float
    diazepam_mg: float
    range_mg: tuple[float, float] | None  # None when the source gives one figure
    source: str
    verified: bool
    from_ashton: bool


def equivalence_info(molecule: str, dose_mg: float, locale: str, drug: str = "") -> EquivalenceInfo | None:
    try:
        eq = equivalents.equivalence(molecule, dose_mg)
        med = med_names.get_medication(eq.molecule)
    except meds.DiaryError:
        return None
    lo, hi = eq.diazepam_mg_range
    return EquivalenceInfo(
        drug=drug or med.name(locale), name=med.name(locale), dose_mg=eq.dose_mg, diazepam_mg=eq.diazepam_mg,
        range_mg=None if lo == hi else (lo, hi), source=citations.source_label(med.primary_equivalent.source),
        verified=eq.verified, from_ashton=eq.from_ashton,
    )


@dataclass
class EntryRow:
    entry: Entry
    medications: list[EquivalenceInfo]
    top_symptoms: list[tuple[str, int]]  # (msgid, rating), strongest first

    @property
    def unverified(self) -> bool:
        return any(not m.verified or not m.from_ashton for m in self.medications)


def entry_rows(entries: list[Entry], locale: str) -> list[EntryRow]:
    rows = []
    for entry in entries:
        infos = [equivalence_info(m.molecule, m.dose_mg, locale, m.drug) for m in entry.medications]
        strongest = sorted(((k, v) for k, v in entry.symptoms.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
        rows.append(EntryRow(entry, [i for i in infos if i is not None],
                             [(sym.SYMPTOMS[k], v) for k, v in strongest if k in sym.SYMPTOMS]))
    return rows


@dataclass
class PlanView:
    plan: TaperPlan
    steps: list[plan_service.StepView]
    current: plan_service.StepView | None
    name: str
    unverified: bool


def plan_view(plan: TaperPlan | None, locale: str, on: dt.date) -> PlanView | None:
    if plan is None:
        return None
    try:
        med = med_names.get_medication(plan.molecule)
        name = med.name(locale)
        unverified = not med.primary_equivalent.verified or not med.in_ashton
    except meds.UnknownMedication:
        name, unverified = plan.molecule, True
    return PlanView(plan, plan_service.steps_of(plan), plan_service.current_step(plan, on), name, unverified)


def step_dates(entries: list[Entry], plan: PlanView | None, on: dt.date) -> list[dt.date]:
    """Days a dose went down: the plan's steps so far, and drops the member logged."""
    dates = {s.date for s in plan.steps[1:] if s.date <= on} if plan else set()
    previous: float | None = None
    for entry in entries:
        if entry.diazepam_mg is None:
            continue
        if previous is not None and entry.diazepam_mg < previous:
            dates.add(entry.day)
        previous = entry.diazepam_mg
    return sorted(dates)


def suggests_pause(entries: list[Entry], plan: PlanView | None, on: dt.date) -> bool:
    """symptoms.symptom_rise_after_step on the logged days; the page then suggests a pause."""
    rated = {e.day: e.symptoms for e in entries if e.symptoms}
    return bool(rated) and sym.symptom_rise_after_step(rated, step_dates(entries, plan, on))


@dataclass(frozen=True)
class DoseSeries:
    """What the chart's line shows: the member's own medication in mg when they log one
    molecule (the usual case), else the diazepam equivalent, which is the only way to add
    two medications up."""

    label: str  # the medication as the member writes it, e.g. "Loramet"; "" for the equivalent
    doses: dict[dt.date, float]

    @property
    def own_medication(self) -> bool:
        return bool(self.label)


def dose_series(entries: list[Entry]) -> DoseSeries:
    molecules = {m.molecule for e in entries for m in e.medications}
    if len(molecules) == 1:
        latest = next(m.drug for e in reversed(entries) for m in e.medications)
        doses = {e.day: sum(m.dose_mg for m in e.medications) for e in entries
                 if e.medications or e.diazepam_mg == 0}
        return DoseSeries(label=latest, doses=doses)
    return DoseSeries(label="", doses={e.day: e.diazepam_mg for e in entries if e.diazepam_mg is not None})


@dataclass(frozen=True)
class Chart:
    """The same chart drawn for a phone and for a larger screen (the page's CSS shows one)."""

    narrow: Markup
    wide: Markup
    series: DoseSeries
    empty: bool


def chart_svg(entries: list[Entry], locale: str, *, title: str, id_prefix: str = "taper-chart") -> Chart:
    series = dose_series(entries)
    points = [ChartPoint(e.day, series.doses.get(e.day), float(e.symptom_score) if e.symptoms else None)
              for e in entries]
    doses = [series.doses[e.day] for e in entries if e.day in series.doses]
    if series.own_medication:
        dose_label = gettext("%(medication)s (mg per day)", medication=series.label)
    else:
        dose_label = gettext("Diazepam equivalent (mg)")
    if doses:
        desc = gettext("%(series)s: from %(first)s to %(latest)s, between %(start)s and %(end)s, with the day's "
                       "total symptom score as bars. The same figures are in the table.", series=dose_label,
                       first=format_number(doses[0], locale), latest=format_number(doses[-1], locale),
                       start=format_date(entries[0].day, locale), end=format_date(entries[-1].day, locale))
    else:
        desc = gettext("No dose logged in this period yet. The table lists the entries.")
    drawings = [
        Markup(render_chart_svg(  # chart.py escapes every text it writes  # nosec B704
            points, title=title, desc=desc, dose_label=dose_label, symptom_label=gettext("Symptom score"),
            date_formatter=lambda d: format_date(d, locale, "d MMM"),
            number_formatter=lambda v: format_number(v, locale), id_prefix=f"{id_prefix}-{layout_name}",
            layout=layout,
        ))
        for layout_name, layout in (("narrow", NARROW), ("wide", WIDE))
    ]
    return Chart(narrow=drawings[0], wide=drawings[1], series=series, empty=not entries)


@dataclass
class Summary:
    owner: User
    start: dt.date
    end: dt.date
    rows: list[EntryRow]
    chart: Chart
    plan: PlanView | None
    pause_suggested: bool
    questions: str
    unverified: bool = field(default=False)


def build_summary(session: Session, *, owner: User, locale: str, weeks: int = SUMMARY_WEEKS,
                  chart_title: str | None = None) -> Summary:
    """The last ``weeks`` of the diary, the current plan and the member's questions."""
    end = today()
    start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    entries = list_entries(session, user=owner, start=start, end=end)
    plan = plan_view(plan_service.get_current_plan(session, user_id=owner.id), locale, end)
    rows = entry_rows(entries, locale)
    title = chart_title or gettext("Dose and symptoms over the last %(weeks)s weeks", weeks=weeks)
    return Summary(
        owner=owner, start=start, end=end, rows=rows, chart=chart_svg(entries, locale, title=title),
        plan=plan, pause_suggested=suggests_pause(entries, plan, end),
        questions=get_diary_settings(session, user_id=owner.id).questions,
        unverified=any(r.unverified for r in rows) or bool(plan and plan.unverified),
    )


def pieces_text(pieces: list[dict[str, float]], locale: str) -> str:
    """How a dose is made of tablets, e.g. "1 × 2 mg tablet + 1 × half of a 1 mg tablet"."""
    parts = []
    for piece in pieces:
        count, strength = int(piece["count"]), format_number(piece["strength_mg"], locale)
        if piece["parts"] == 2:
            parts.append(gettext("%(count)s × half of a %(strength)s mg tablet", count=count, strength=strength))
        elif piece["parts"] == 4:
            parts.append(gettext("%(count)s × quarter of a %(strength)s mg tablet", count=count,
                                 strength=strength))
        else:
            parts.append(gettext("%(count)s × %(strength)s mg tablet", count=count, strength=strength))
    return " + ".join(parts)
