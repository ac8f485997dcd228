"""Taper plans: pure functions from a molecule, a start dose and a pace to dated steps.

A plan is information the member discusses with their doctor; it never pushes a
fixed schedule. Three paces:

- ``percent``: each step cuts a percentage of the *current* dose (1-50; the
  reference pace is about 5-10 % every 2-4 weeks, see pace.py);
- ``end_date``: the smallest percentage that reaches the end by a chosen date;
- ``fixed``: the same mg cut each step. Fixed cuts grow as a percentage near the
  end (the usual cause of late "brick wall" symptoms), so every step carries its
  effective percentage and a flag above the member's ceiling.

Rounding rule. A step's dose is the *smallest* dose made of Belgian tablets (see
``tablets.pieces``: whole tablets, halves of scored ones, quarters only where
the product allows; only strengths and splits read in a Belgian leaflet or
SmPC, unless the member confirmed that their pharmacy has the tablet) that
does not cut more than the chosen amount, provided it still cuts at least
``MIN_CUT_SHARE`` of it. Otherwise the exact ideal dose is
kept and ``needs_compounding`` is set: in Belgium a pharmacist can compound
capsules of any strength on prescription. Below the smallest tablet piece every
step is compounded, until the dose reaches the equivalent of
``STOP_AT_DIAZEPAM_MG``; then one last step goes to the end dose (0 by default).

Each plan is judged against the reference pace (pace.py); pauses at a step are
in plan_holds.py. Warnings are codes, not prose: the UI translates them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from app.diary.equivalents import (
    check_dose,
    diazepam_to_molecule_mg,
    equivalence,
    plausible_max_daily_mg,
    plausible_min_daily_mg,
)
from app.diary.medication_names import resolve_or_raise, withdrawn_products
from app.diary.medications import DiaryError, Medication
from app.diary.pace import PACE_ABOVE_USUAL, PACE_FASTER, REFERENCE_MAX_CUT_PERCENT, assess_pace
from app.diary.tablets import (
    Piece,
    achievable_between,
    is_achievable,
    left_out,
    pieces,
    recipe_for,
    taper_products,
    verified_piece,
)

Mode = Literal["percent", "end_date", "fixed"]

PERCENT_RANGE = (1.0, 50.0)
INTERVAL_RANGE = (3, 56)
#: A tablet dose is used only if it cuts at least this share of the chosen cut;
#: otherwise the plan keeps the exact dose and marks it for compounding.
MIN_CUT_SHARE = 0.75
#: Percentage cuts never reach zero by themselves: stop once the dose is at or
#: below the equivalent of this much diazepam, with one last step to the end dose.
STOP_AT_DIAZEPAM_MG = 0.5
#: Default effective-percent ceiling (the largest cut a member accepts): the reference's largest cut.
FIXED_CUT_DEFAULT_CEILING = REFERENCE_MAX_CUT_PERCENT
MAX_STEPS = 1000


class PlanError(DiaryError, ValueError):
    """An invalid plan request; ``code`` names the field for the UI, ``params`` fill its message."""

    def __init__(self, code: str, detail: str = "", **params: object):
        self.code = code
        self.params = params
        super().__init__(detail or code)


def _check_start_plausible(med: Medication, start_dose_mg: float) -> None:
    smallest = plausible_min_daily_mg(med.molecule)
    if start_dose_mg < smallest:
        raise PlanError("start_dose_implausibly_small", min=smallest)


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    date: date
    dose_mg: float
    diazepam_mg: float
    needs_compounding: bool
    effective_percent: float  # the actual cut vs. the previous step's dose
    exceeds_ceiling: bool
    pieces: tuple[tuple[Piece, int], ...] = ()  # empty when compounded or zero
    hold_days: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    molecule: str
    mode: Mode
    start_date: date
    start_dose_mg: float
    end_dose_mg: float
    interval_days: int
    percent: float | None
    amount_mg: float | None
    ceiling_percent: float
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = field(default=())
    #: The member confirmed that their pharmacy has the tablets the data could not verify.
    tablets_confirmed: bool = False

    @property
    def end_date(self) -> date:
        return self.steps[-1].date

    @property
    def faster_than_reference(self) -> bool:
        return "pace_faster_than_reference" in self.warnings


# ---------------------------------------------------------------- validation
def _check_range(code: str, value: float, lo: float, hi: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or not lo <= value <= hi:
        raise PlanError(code, f"{code}: {value!r} not in [{lo}, {hi}]")


def range_problems(*, percent: float | None = None, interval_days: int | None = None,
                   ceiling_percent: float | None = None) -> list[PlanError]:
    """The range checks of the values given, all of them (the plan_by_* functions stop at the first)."""
    checks = (("percent_out_of_range", percent, PERCENT_RANGE),
              ("interval_out_of_range", interval_days, INTERVAL_RANGE),
              ("ceiling_out_of_range", ceiling_percent, PERCENT_RANGE))
    problems = []
    for code, value, (lo, hi) in checks:
        if value is None:
            continue
        try:
            _check_range(code, value, lo, hi)
        except PlanError as exc:
            problems.append(exc)
    return problems


def _check_doses(start_dose_mg: float, end_dose_mg: float) -> None:
    check_dose(start_dose_mg)
    if not isinstance(end_dose_mg, int | float) or not math.isfinite(end_dose_mg):
        raise PlanError("end_dose_invalid")
    if not 0 <= end_dose_mg < start_dose_mg:
        raise PlanError("end_dose_invalid", "end dose must be >= 0 and below the start dose")


# ---------------------------------------------------------------- stepping
@dataclass(frozen=True, slots=True)
class _Ctx:
    med: Medication
    piece_set: tuple[Piece, ...]
    end_dose_mg: float
    stop_mg: float
    ceiling: float
    confirmed: bool = False
    brand: str | None = None


def _next_dose(ctx: _Ctx, current: float, ideal: float) -> tuple[float, bool]:
    """(dose, needs_compounding) for a step whose exact target is ``ideal``."""
    if ideal <= ctx.end_dose_mg:
        return ctx.end_dose_mg, not is_achievable(ctx.piece_set, ctx.end_dose_mg)
    cut = current - ideal
    highest_ok = current - MIN_CUT_SHARE * cut
    tablet_dose = achievable_between(ctx.piece_set, ideal, highest_ok)
    if tablet_dose is not None and tablet_dose < current:
        return tablet_dose, False
    return _round_compounded(ideal, below=current), True


def _round_compounded(mg: float, *, below: float) -> float:
    # Compounded capsules are prescribed to about three significant figures;
    # rounding up keeps the cut within the chosen amount. More figures only
    # when three would not be below the current dose (tiny cuts).
    if mg <= 0:
        return 0.0
    for figures in range(3, 8):
        factor = 10 ** (figures - 1 - math.floor(math.log10(mg)))
        rounded = math.ceil(mg * factor - 1e-9) / factor
        if rounded < below:
            return rounded
    return mg


def _step(ctx: _Ctx, index: int, when: date, previous: float, dose: float, compounded: bool) -> Step:
    percent = (previous - dose) / previous * 100 if previous > 0 else 0.0
    recipe = () if compounded or dose == 0 else (recipe_for(ctx.piece_set, dose) or ())
    return Step(
        index=index,
        date=when,
        dose_mg=dose,
        diazepam_mg=_diazepam(ctx.med, dose),
        needs_compounding=compounded,
        effective_percent=round(percent, 2),
        exceeds_ceiling=percent > ctx.ceiling + 1e-9,
        pieces=recipe,
    )


def _diazepam(med: Medication, dose: float) -> float:
    return 0.0 if dose == 0 else equivalence(med.molecule, dose).diazepam_mg


def _first_step(ctx: _Ctx, start_date: date, start_dose: float) -> Step:
    compounded = not is_achievable(ctx.piece_set, start_dose)
    return _step(ctx, 0, start_date, start_dose, start_dose, compounded)


def _build_steps(ctx: _Ctx, start_date: date, start_dose: float, interval: int,
                 ideal_next: Callable[[float], float]) -> tuple[list[Step], bool]:
    steps = [_first_step(ctx, start_date, start_dose)]
    current = start_dose
    while current > ctx.end_dose_mg and len(steps) <= MAX_STEPS:
        ideal = ctx.end_dose_mg if current <= ctx.stop_mg else ideal_next(current)
        dose, compounded = _next_dose(ctx, current, ideal)
        when = start_date + timedelta(days=interval * len(steps))
        steps.append(_step(ctx, len(steps), when, current, dose, compounded))
        current = dose
    return steps, current > ctx.end_dose_mg


def _context(med: Medication, end_dose: float, ceiling: float, brand: str | None, confirmed: bool) -> _Ctx:
    piece_set = pieces(taper_products(med, brand=brand), confirmed=confirmed)
    stop = max(end_dose, diazepam_to_molecule_mg(med, STOP_AT_DIAZEPAM_MG))
    return _Ctx(med, piece_set, end_dose, stop, ceiling, confirmed, brand)


def _warnings(ctx: _Ctx, steps: list[Step], start_dose: float, truncated: bool) -> tuple[str, ...]:
    codes: list[str] = []
    products = taper_products(ctx.med, brand=ctx.brand)
    if not ctx.piece_set:
        codes.append("no_tablet_strengths")
    elif all(p.market != "BE" for p in products):
        codes.append("strengths_not_belgian")
    if ctx.confirmed:
        if any(not verified_piece(piece, products) for s in steps for piece, _ in s.pieces):
            codes.append("tablets_confirmed_by_member")
    elif left_out(products):
        codes.append("tablets_unverified_left_out")
    if not ctx.med.primary_equivalent.verified or not ctx.med.in_ashton:
        codes.append("equivalence_not_ashton_or_unverified")
    if start_dose > plausible_max_daily_mg(ctx.med.molecule):
        codes.append("start_dose_implausible")
    if steps[0].needs_compounding:
        codes.append("start_dose_not_achievable")
    if any(s.needs_compounding for s in steps[1:]):
        codes.append("compounding_needed")
    if any(s.exceeds_ceiling for s in steps[1:-1]):
        codes.append("steps_exceed_ceiling")
    if ctx.med.half_life_class == "short":
        codes.append("short_half_life")
    if truncated:
        codes.append("plan_truncated")
    return tuple(codes)



_PACE_WARNINGS: dict[str, tuple[str, ...]] = {
    PACE_ABOVE_USUAL: ("pace_above_usual",), PACE_FASTER: ("pace_faster_than_reference",),
}


def _plan(ctx: _Ctx, *, mode: Mode, start_date: date, start_dose: float, interval: int,
          percent: float | None, amount: float | None, ideal_next: Callable[[float], float],
          drug: str) -> Plan:
    steps, truncated = _build_steps(ctx, start_date, start_dose, interval, ideal_next)
    extra: tuple[str, ...] = _PACE_WARNINGS.get(assess_pace(ctx.med, steps, interval), ())
    extra += ("product_not_marketed",) if withdrawn_products(drug) else ()
    return Plan(
        molecule=ctx.med.molecule, mode=mode, start_date=start_date, start_dose_mg=start_dose,
        end_dose_mg=ctx.end_dose_mg, interval_days=interval, percent=percent, amount_mg=amount,
        ceiling_percent=ctx.ceiling, steps=tuple(steps),
        warnings=_warnings(ctx, steps, start_dose, truncated) + extra, tablets_confirmed=ctx.confirmed,
    )


# ---------------------------------------------------------------- public API
def plan_by_percent(molecule: str, start_dose_mg: float, *, start_date: date, percent: float,
                    interval_days: int, end_dose_mg: float = 0.0, ceiling_percent: float | None = None,
                    brand: str | None = None, tablets_confirmed: bool = False) -> Plan:
    """Cut ``percent`` of the current dose every ``interval_days`` days.

    ``tablets_confirmed``: the member confirmed that their pharmacy has the
    tablets (and splits) the data could not verify in a Belgian text; without
    it, steps use verified strengths and splits only.
    """
    med = resolve_or_raise(molecule)
    _check_doses(start_dose_mg, end_dose_mg)
    _check_start_plausible(med, float(start_dose_mg))
    _check_range("percent_out_of_range", percent, *PERCENT_RANGE)
    _check_range("interval_out_of_range", interval_days, *INTERVAL_RANGE)
    # Empty ceiling: the chosen cut, but never above the reference's largest cut, so that a fast
    # plan's steps are marked in the table rather than silently accepted.
    ceiling = min(percent, REFERENCE_MAX_CUT_PERCENT) if ceiling_percent is None else ceiling_percent
    _check_range("ceiling_out_of_range", ceiling, *PERCENT_RANGE)
    ctx = _context(med, float(end_dose_mg), ceiling, brand, tablets_confirmed)
    factor = 1 - percent / 100
    return _plan(ctx, mode="percent", start_date=start_date, start_dose=float(start_dose_mg),
                 interval=int(interval_days), percent=float(percent), amount=None,
                 ideal_next=lambda current: current * factor, drug=molecule)


def plan_by_amount(molecule: str, start_dose_mg: float, *, start_date: date, amount_mg: float,
                   interval_days: int, end_dose_mg: float = 0.0,
                   ceiling_percent: float = FIXED_CUT_DEFAULT_CEILING,
                   brand: str | None = None, tablets_confirmed: bool = False) -> Plan:
    """Cut the same ``amount_mg`` every step; effective percentages grow towards the end."""
    med = resolve_or_raise(molecule)
    _check_doses(start_dose_mg, end_dose_mg)
    _check_start_plausible(med, float(start_dose_mg))
    _check_range("amount_out_of_range", amount_mg, 1e-6, float(start_dose_mg))
    # A cut below the smallest dose anyone takes (a quarter of the smallest tablet, or its compounded
    # equivalent) cannot be measured out: 0.001 mg made 1,000 steps. Compounded cuts such as the
    # Ashton Manual's 1 mg then 0.5 mg of diazepam stay possible.
    smallest = plausible_min_daily_mg(med.molecule)
    if amount_mg < smallest:
        raise PlanError("amount_too_small", min=smallest)
    _check_range("interval_out_of_range", interval_days, *INTERVAL_RANGE)
    _check_range("ceiling_out_of_range", ceiling_percent, *PERCENT_RANGE)
    ctx = replace(_context(med, float(end_dose_mg), ceiling_percent, brand, tablets_confirmed),
                  stop_mg=float(end_dose_mg))
    return _plan(ctx, mode="fixed", start_date=start_date, start_dose=float(start_dose_mg),
                 interval=int(interval_days), percent=None, amount=float(amount_mg),
                 ideal_next=lambda current: current - amount_mg, drug=molecule)


def plan_by_end_date(molecule: str, start_dose_mg: float, *, start_date: date, end_date: date,
                     interval_days: int, end_dose_mg: float = 0.0, brand: str | None = None,
                     tablets_confirmed: bool = False) -> Plan:
    """The gentlest percentage (1-50) whose plan reaches the end dose by ``end_date``.

    Rounding to tablets can only slow a plan down, so the percentage is found by
    bisection on real plans. If even 50 % is too slow, the 50 % plan is returned
    with the warning code ``end_date_too_soon``.
    """
    _check_range("interval_out_of_range", interval_days, *INTERVAL_RANGE)
    if end_date <= start_date + timedelta(days=interval_days):
        raise PlanError("end_date_too_soon")

    def build(p: float) -> Plan:
        plan = plan_by_percent(molecule, start_dose_mg, start_date=start_date, percent=p,
                               interval_days=interval_days, end_dose_mg=end_dose_mg, brand=brand,
                               tablets_confirmed=tablets_confirmed)
        return replace(plan, mode="end_date")

    fastest = build(PERCENT_RANGE[1])
    if fastest.end_date > end_date:
        return replace(fastest, warnings=(*fastest.warnings, "end_date_too_soon"))
    lo, hi, best = PERCENT_RANGE[0], PERCENT_RANGE[1], fastest
    slowest = build(lo)
    if slowest.end_date <= end_date - timedelta(days=interval_days):
        # Even the gentlest cut ends well before the chosen date: say so, never silently ignore it.
        return replace(slowest, warnings=(*slowest.warnings, "end_date_later_than_needed"))
    if slowest.end_date <= end_date:
        return slowest
    for _ in range(12):
        mid = round((lo + hi) / 2, 2)
        candidate = build(mid)
        if candidate.end_date <= end_date:
            hi, best = mid, candidate
        else:
            lo = mid
    return best
