"""The fixed withdrawal-symptom list, the 0-3 rating scale, and a step-rise check.

Labels are English msgids marked with ``N_``; templates translate them. The
rise check mirrors the self-monitoring form that comes with Dutch tapering
strips: if symptoms go up clearly after a dose step, the UI suggests holding
the current dose (never going back up) and talking it over with the doctor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.i18n_markers import N_

SYMPTOMS: dict[str, str] = {
    "insomnia": N_("Sleeping problems"),
    "anxiety": N_("Anxiety"),
    "panic": N_("Panic attacks"),
    "irritability": N_("Irritability"),
    "low_mood": N_("Low mood"),
    "tremor": N_("Trembling"),
    "palpitations": N_("Heart racing or pounding"),
    "sweating": N_("Sweating"),
    "muscle_pain": N_("Muscle pain or stiffness"),
    "headache": N_("Headache"),
    "dizziness": N_("Dizziness"),
    "nausea": N_("Nausea or stomach upset"),
    "tinnitus": N_("Ringing in the ears"),
    "light_sensitivity": N_("Sensitivity to light"),
    "sound_sensitivity": N_("Sensitivity to sound"),
    "paraesthesia": N_("Tingling or numbness"),
    "depersonalisation": N_("Feeling unreal or detached"),
    "concentration": N_("Trouble concentrating"),
    "memory": N_("Memory problems"),
}

#: Shown first on the day form to a member who has rated nothing yet (the others fold away).
DEFAULT_SHOWN = 6

RATING_LABELS: dict[int, str] = {
    0: N_("None"),
    1: N_("Mild"),
    2: N_("Moderate"),
    3: N_("Severe"),
}
MAX_RATING = max(RATING_LABELS)
MAX_TOTAL = MAX_RATING * len(SYMPTOMS)

#: Days compared on each side of a step, and the fewest logged days per side.
WINDOW_DAYS = 7
MIN_DAYS_PER_WINDOW = 3
#: A "sharp" rise: the mean daily total goes up by at least this many points
#: and by at least this share of the level before the step.
MIN_RISE_POINTS = 3.0
MIN_RISE_SHARE = 0.3


def validate_ratings(ratings: Mapping[str, int]) -> dict[str, int]:
    """Known symptom keys with integer ratings 0-3; raises ValueError otherwise."""
    clean: dict[str, int] = {}
    for key, value in ratings.items():
        if key not in SYMPTOMS:
            raise ValueError(f"unknown symptom {key!r}")
        if isinstance(value, bool) or not isinstance(value, int) or value not in RATING_LABELS:
            raise ValueError(f"rating for {key!r} must be 0-3, not {value!r}")
        clean[key] = value
    return clean


def total_score(ratings: Mapping[str, int]) -> int:
    return sum(validate_ratings(ratings).values())


@dataclass(frozen=True, slots=True)
class StepAssessment:
    step_date: date
    days_before: int
    days_after: int
    mean_before: float | None
    mean_after: float | None
    sharp_rise: bool


def _window_mean(totals: Mapping[date, int], start: date, end: date) -> tuple[int, float | None]:
    days = [t for d, t in totals.items() if start <= d < end]
    return len(days), (sum(days) / len(days) if days else None)


def assess_step(totals: Mapping[date, int], step_date: date) -> StepAssessment:
    """Compare the WINDOW_DAYS before a step with the step day and the days after."""
    window = timedelta(days=WINDOW_DAYS)
    n_before, before = _window_mean(totals, step_date - window, step_date)
    n_after, after = _window_mean(totals, step_date, step_date + window)
    enough = n_before >= MIN_DAYS_PER_WINDOW and n_after >= MIN_DAYS_PER_WINDOW
    rise = (
        enough
        and before is not None
        and after is not None
        and after - before >= max(MIN_RISE_POINTS, MIN_RISE_SHARE * before)
    )
    return StepAssessment(step_date, n_before, n_after, before, after, bool(rise))


def daily_totals(entries: Mapping[date, Mapping[str, int]]) -> dict[date, int]:
    """One total per day (entries keyed by day: the member's ratings that day)."""
    return {day: total_score(ratings) for day, ratings in entries.items()}


def assess_steps(entries: Mapping[date, Mapping[str, int]], step_dates: Iterable[date]) -> list[StepAssessment]:
    totals = daily_totals(entries)
    return [assess_step(totals, d) for d in sorted(set(step_dates))]


def symptom_rise_after_step(entries: Mapping[date, Mapping[str, int]], step_dates: Iterable[date]) -> bool:
    """True when the latest step with enough data on both sides shows a sharp rise.

    The UI then suggests pausing at the current dose (never increasing) and
    talking it over with the doctor. Too little data gives False, not a guess.
    """
    assessed = [a for a in assess_steps(entries, step_dates)
                if a.days_before >= MIN_DAYS_PER_WINDOW and a.days_after >= MIN_DAYS_PER_WINDOW]
    return bool(assessed) and assessed[-1].sharp_rise
