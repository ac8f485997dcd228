"""The reference pace of a taper, and how a plan's real steps compare with it.

The reference the product follows (Ashton Manual, ch. II, and the
BCFI/CBIP advice it agrees with) is a gradual reduction of about 5-10 % of the
current dose every 2-4 weeks, a single cut of at most about 25 %, adjusted with
a doctor. ``assess_pace`` measures the plan actually built (after rounding, so
the end-date and fixed-cut modes are judged on their real steps): each cut, and
the share of the dose a step's cut removes over two weeks at the plan's
interval. Above the usual 10 % it says so gently (``pace_above_usual``); above
25 % the plan is faster than the reference (``pace_faster_than_reference``), a
prominent warning, and saving it needs the member's explicit confirmation
(app/diary/plans.py). The very last cut, from the equivalent of at most
``TAIL_DIAZEPAM_MG`` of diazepam, is a large share of a tiny dose by nature and
is not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.diary.equivalents import diazepam_to_molecule_mg
from app.diary.medications import Medication

#: The reference pace (module docstring): a usual cut, the largest single cut, over this many days.
USUAL_CUT_PERCENT = 10.0
REFERENCE_MAX_CUT_PERCENT = 25.0
REFERENCE_WINDOW_DAYS = 14
#: The last cut of a taper, from at most this much diazepam (or its equivalent), is not judged.
TAIL_DIAZEPAM_MG = 1.0
PACE_USUAL, PACE_ABOVE_USUAL, PACE_FASTER = "usual", "above_usual", "faster_than_reference"


def two_week_cut(cut_percent: float, interval_days: int) -> float:
    """The share of the dose (%) that cuts of ``cut_percent`` every ``interval_days`` remove in two weeks."""
    remaining = (1 - min(cut_percent, 100.0) / 100) ** (REFERENCE_WINDOW_DAYS / interval_days)
    return (1 - remaining) * 100


class CutStep(Protocol):
    """A step whose cut can be judged: the planner's Step, or a stored plan's StepView."""

    @property
    def index(self) -> int: ...

    @property
    def dose_mg(self) -> float: ...

    @property
    def effective_percent(self) -> float: ...


def assess_pace(med: Medication, steps: Sequence[CutStep], interval_days: int) -> str:
    """How the plan's real steps compare with the reference pace (module docstring)."""
    tail_mg = diazepam_to_molecule_mg(med, TAIL_DIAZEPAM_MG)
    pace = PACE_USUAL
    for previous, step in zip(steps, steps[1:], strict=False):
        if step.index == len(steps) - 1 and previous.dose_mg <= tail_mg + 1e-9:
            continue
        cut = step.effective_percent
        per_window = two_week_cut(cut, interval_days)
        if cut > REFERENCE_MAX_CUT_PERCENT + 1e-6 or per_window > REFERENCE_MAX_CUT_PERCENT + 1e-6:
            return PACE_FASTER
        if cut > USUAL_CUT_PERCENT + 1e-6 or per_window > USUAL_CUT_PERCENT + 1e-6:
            pace = PACE_ABOVE_USUAL
    return pace
