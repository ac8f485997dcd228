"""Taper planner properties (hypothesis) and the symptom step-rise check.

What the properties assert, precisely:
- doses never increase, and every step after the first is strictly lower;
- percent plans: every step except the last cuts at most the chosen percentage
  of the previous step's dose (tablet rounding only ever cuts less; compounded
  doses are rounded up). The last step goes to the end dose and may cut more;
  it is flagged when it does;
- fixed-cut plans: no step cuts more than the chosen mg;
- the last step is exactly the end dose (0 by default), with no truncation;
- every dose not marked ``needs_compounding`` is made of the listed Belgian
  strengths (whole tablets, halves of scored, quarters of quarterable tablets)
  and its recipe adds up to the dose;
- ``apply_hold`` leaves every dose unchanged and moves only the later dates.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.diary import equivalents as eqv
from app.diary import medication_names as mn
from app.diary import medications as m
from app.diary import pace, plan_holds, plans
from app.diary import planner as P
from app.diary import symptoms as S
from app.diary import tablets as t

MOLECULES = [med.molecule for med in m.list_medications()]
START = date(2025, 1, 6)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def start_doses(draw) -> tuple[str, float]:
    molecule = draw(st.sampled_from(MOLECULES))
    med = mn.get_medication(molecule)
    factor = draw(st.floats(0.2, 4.0))
    return molecule, round(med.primary_equivalent.mid * factor, 3)


def _pieces(plan: P.Plan):
    return t.pieces(t.taper_products(mn.get_medication(plan.molecule)))


def _check_common(plan: P.Plan, end_dose: float) -> None:
    doses = [s.dose_mg for s in plan.steps]
    assert all(b < a for a, b in zip(doses, doses[1:], strict=False))
    assert doses[-1] == pytest.approx(end_dose)
    assert "plan_truncated" not in plan.warnings
    piece_set = _pieces(plan)
    for step in plan.steps:
        if step.needs_compounding or step.dose_mg == 0:
            continue
        assert t.is_achievable(piece_set, step.dose_mg), step
        assert sum(p.mg * n for p, n in step.pieces) == pytest.approx(step.dose_mg, abs=1e-6)
    dates = [s.date for s in plan.steps]
    assert dates == sorted(dates) and dates[0] == START


@FAST
@given(start_doses(), st.floats(1, 50), st.integers(3, 56), st.booleans())
def test_percent_plans(start, percent, interval, with_end):
    molecule, dose = start
    end = round(dose / 3, 3) if with_end else 0.0
    plan = P.plan_by_percent(molecule, dose, start_date=START, percent=percent,
                             interval_days=interval, end_dose_mg=end)
    _check_common(plan, end)
    assert plan.ceiling_percent == min(percent, pace.REFERENCE_MAX_CUT_PERCENT)  # the empty ceiling, capped
    for step in plan.steps[1:-1]:
        assert step.effective_percent <= percent + 0.01
        # effective_percent is shown rounded to 0.01; the flag is decided on the exact cut.
        if abs(step.effective_percent - plan.ceiling_percent) > 0.005:
            assert step.exceeds_ceiling == (step.effective_percent > plan.ceiling_percent)
    last = plan.steps[-1]
    if last.effective_percent > percent + 0.01:
        assert last.exceeds_ceiling


@FAST
@given(start_doses(), st.floats(0.05, 1.0), st.integers(3, 56))
def test_fixed_cut_plans(start, share, interval):
    molecule, dose = start
    amount = max(round(max(dose * share / 4, dose / 200), 3), eqv.plausible_min_daily_mg(molecule))
    plan = P.plan_by_amount(molecule, dose, start_date=START, amount_mg=amount, interval_days=interval)
    _check_common(plan, 0.0)
    for prev, step in zip(plan.steps, plan.steps[1:], strict=False):
        assert prev.dose_mg - step.dose_mg <= amount + 1e-6
        if step.effective_percent > plan.ceiling_percent + 0.01:
            assert step.exceeds_ceiling


@FAST
@given(start_doses(), st.integers(60, 900), st.integers(7, 28))
def test_end_date_plans(start, days, interval):
    molecule, dose = start
    target = START + timedelta(days=days)
    plan = P.plan_by_end_date(molecule, dose, start_date=START, end_date=target, interval_days=interval)
    _check_common(plan, 0.0)
    assert plan.mode == "end_date"
    assert plan.end_date <= target or "end_date_too_soon" in plan.warnings


@FAST
@given(start_doses(), st.data())
def test_holds_shift_dates_only(start, data):
    molecule, dose = start
    plan = P.plan_by_percent(molecule, dose, start_date=START, percent=10, interval_days=14)
    index = data.draw(st.integers(0, len(plan.steps) - 1))
    days = data.draw(st.integers(1, 365))
    held = plan_holds.hold_steps(plan.steps, index, days)
    assert [s.dose_mg for s in held] == [s.dose_mg for s in plan.steps]
    assert [s.needs_compounding for s in held] == [s.needs_compounding for s in plan.steps]
    for old, new in zip(plan.steps, held, strict=True):
        shift = timedelta(days=days) if old.index > index else timedelta(0)
        assert new.date == old.date + shift
    assert held[index].hold_days == days
    # A stored plan's steps (what the diary pauses) move exactly like the planner's own.
    stored = plan_holds.hold_steps(plans.preview_steps(plan), index, days)
    assert [(s.date, s.dose_mg, s.hold_days) for s in stored] == [(s.date, s.dose_mg, s.hold_days) for s in held]


def test_example_plan_diazepam_ten_percent():
    plan = P.plan_by_percent("Valium", 20, start_date=START, percent=10, interval_days=14)
    first = plan.steps[1]
    assert first.dose_mg == 18 and not first.needs_compounding and first.effective_percent == 10
    assert plan.steps[1].date == START + timedelta(days=14)
    assert plan.steps[-1].dose_mg == 0 and plan.steps[-1].effective_percent == 100
    assert any(s.needs_compounding for s in plan.steps)  # below the 2 mg tablet
    assert "compounding_needed" in plan.warnings


@pytest.mark.parametrize(("molecule", "dose", "amount"), [("alprazolam", 1, 0.001), ("diazepam", 10, 0.2)])
def test_a_fixed_cut_smaller_than_any_dose_taken_is_refused(molecule: str, dose: float, amount: float) -> None:
    """A cut of 0.001 mg made 1,000 steps: below the smallest dose taken, it cannot be measured out."""
    with pytest.raises(P.PlanError) as refused:
        P.plan_by_amount(molecule, dose, start_date=START, amount_mg=amount, interval_days=14)
    assert refused.value.code == "amount_too_small"
    assert refused.value.params == {"min": eqv.plausible_min_daily_mg(molecule)}
    # The Ashton Manual's last diazepam cuts (0.5 mg, compounded) stay possible.
    assert P.plan_by_amount("diazepam", 5, start_date=START, amount_mg=0.5, interval_days=14).steps[-1].dose_mg == 0


def test_an_end_date_far_beyond_the_gentlest_pace_is_explained_not_ignored() -> None:
    """2126-01-01 gave 538 steps ending in 2031 with no word about the date chosen."""
    far = P.plan_by_end_date("diazepam", 10, start_date=START, end_date=date(2126, 1, 1), interval_days=7)
    assert "end_date_later_than_needed" in far.warnings and far.percent == P.PERCENT_RANGE[0]
    near = P.plan_by_end_date("diazepam", 10, start_date=START, end_date=START + timedelta(days=365),
                              interval_days=14)
    assert "end_date_later_than_needed" not in near.warnings and near.end_date <= START + timedelta(days=365)


def test_fixed_cuts_flag_the_late_large_percentages():
    plan = P.plan_by_amount("diazepam", 20, start_date=START, amount_mg=2, interval_days=14)
    assert [s.dose_mg for s in plan.steps] == [20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0]
    flagged = [s.dose_mg for s in plan.steps if s.exceeds_ceiling]
    assert flagged == [4, 2, 0]
    assert "steps_exceed_ceiling" in plan.warnings


def test_quarters_only_where_the_product_allows():
    plan = P.plan_by_percent("Rivotril", 2, start_date=START, percent=25, interval_days=14)
    assert plan.steps[1].dose_mg == 1.5 and not plan.steps[1].needs_compounding


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"percent": 0.5}, "percent_out_of_range"),
        ({"percent": 51}, "percent_out_of_range"),
        ({"interval_days": 2}, "interval_out_of_range"),
        ({"interval_days": 57}, "interval_out_of_range"),
        ({"end_dose_mg": 30}, "end_dose_invalid"),
        ({"end_dose_mg": -1}, "end_dose_invalid"),
    ],
)
def test_invalid_requests(kwargs, code):
    args = {"start_date": START, "percent": 10, "interval_days": 14} | kwargs
    with pytest.raises(P.PlanError) as info:
        P.plan_by_percent("diazepam", 20, **args)
    assert info.value.code == code


@pytest.mark.parametrize("dose", [0, -5, float("nan"), float("inf")])
def test_invalid_start_dose(dose):
    with pytest.raises(m.InvalidDose):
        P.plan_by_percent("diazepam", dose, start_date=START, percent=10, interval_days=14)


def test_unknown_drug_has_suggestions():
    with pytest.raises(m.UnknownMedication) as info:
        P.plan_by_percent("Temesat", 1, start_date=START, percent=10, interval_days=14)
    assert "Temesta" in info.value.suggestions


def test_hold_validation():
    plan = P.plan_by_percent("diazepam", 10, start_date=START, percent=10, interval_days=14)
    with pytest.raises(P.PlanError):
        plan_holds.hold_steps(plan.steps, len(plan.steps), 7)
    with pytest.raises(P.PlanError):
        plan_holds.hold_steps(plan.steps, 0, 0)


def test_implausible_dose_warns():
    plan = P.plan_by_percent("alprazolam", 40, start_date=START, percent=25, interval_days=7)
    assert "start_dose_implausible" in plan.warnings


# ---------------------------------------------------------------- symptoms
def _entries(start: date, totals: list[int]) -> dict[date, dict[str, int]]:
    keys = list(S.SYMPTOMS)
    out = {}
    for i, total in enumerate(totals):
        ratings, left = {}, total
        for key in keys:
            ratings[key] = min(3, left)
            left -= ratings[key]
        out[start + timedelta(days=i)] = ratings
    return out


def test_symptom_list_and_scale():
    assert {"insomnia", "anxiety", "tinnitus", "depersonalisation", "paraesthesia"} <= set(S.SYMPTOMS)
    assert list(S.RATING_LABELS) == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        S.validate_ratings({"insomnia": 4})
    with pytest.raises(ValueError):
        S.validate_ratings({"not_a_symptom": 1})


def test_sharp_rise_after_step_is_detected():
    step = START + timedelta(days=7)
    entries = _entries(START, [4, 5, 4, 4, 5, 4, 4, 10, 11, 12, 10, 9, 10, 11])
    assert S.symptom_rise_after_step(entries, [step])
    calm = _entries(START, [4, 5, 4, 4, 5, 4, 4, 5, 5, 6, 4, 5, 5, 4])
    assert not S.symptom_rise_after_step(calm, [step])


def test_too_little_data_is_not_a_rise():
    step = START + timedelta(days=7)
    entries = _entries(START + timedelta(days=5), [2, 2, 15, 15, 15])
    assert not S.symptom_rise_after_step(entries, [step])
    assert not S.symptom_rise_after_step({}, [])


# ---------------------------------------------------------------- huge doses (issue 9, item 1)
@pytest.mark.parametrize("dose", [1e300, 1e12, 2.0**63, m.MAX_DOSE_MG])
def test_tablet_arithmetic_does_not_grow_with_the_dose(dose: float) -> None:
    """A 1e300 mg preview once looped in proportion to the dose and pinned a core."""
    import time

    piece_set = t.pieces(t.taper_products(mn.get_medication("diazepam")))
    started = time.process_time()
    recipe = t.recipe_for(piece_set, dose)
    assert t.achievable_between(piece_set, dose, dose * 2) is not None
    assert t._largest_at_most(piece_set, dose) is not None
    assert time.process_time() - started < 0.5
    if recipe is not None:  # what it finds still adds up
        assert sum(piece.mg * count for piece, count in recipe) == pytest.approx(dose)


@pytest.mark.parametrize("dose", [float("nan"), float("inf"), -1.0, 0.0, m.MAX_DOSE_MG + 0.01, 1e300])
def test_planner_refuses_doses_outside_the_plausible_range(dose: float) -> None:
    with pytest.raises(m.InvalidDose):
        P.plan_by_percent("diazepam", dose, start_date=date(2026, 1, 1), percent=10, interval_days=14)
    with pytest.raises(m.InvalidDose):
        eqv.equivalence("diazepam", dose)


def test_the_largest_accepted_dose_plans_quickly() -> None:
    import time

    started = time.process_time()
    plan = P.plan_by_end_date("oxazepam", m.MAX_DOSE_MG, start_date=date(2026, 1, 1),
                              end_date=date(2027, 1, 1), interval_days=7)
    assert plan.steps[-1].dose_mg == 0 and time.process_time() - started < 5


def test_the_pace_is_judged_against_the_reference() -> None:
    """About 5-10 % every 2-4 weeks is usual; more than 25 % at once or within two weeks is faster."""
    usual = P.plan_by_percent("diazepam", 10, start_date=START, percent=10, interval_days=14)
    slow = P.plan_by_percent("diazepam", 10, start_date=START, percent=5, interval_days=28)
    weekly = P.plan_by_percent("diazepam", 10, start_date=START, percent=10, interval_days=7)
    big_steps = P.plan_by_percent("diazepam", 10, start_date=START, percent=30, interval_days=56)
    halving = P.plan_by_percent("diazepam", 10, start_date=START, percent=50, interval_days=3)
    assert not {"pace_above_usual", "pace_faster_than_reference"} & {*usual.warnings, *slow.warnings}
    assert "pace_above_usual" in weekly.warnings and not weekly.faster_than_reference
    assert big_steps.faster_than_reference and halving.faster_than_reference  # one cut > 25 %, or fast overall
    # The empty "largest cut" is the chosen cut, never above 25 %: a 50 % plan's steps are all marked.
    assert halving.ceiling_percent == 25 and all(s.exceeds_ceiling for s in halving.steps[1:-1])
    assert usual.ceiling_percent == 10
    # Fixed cuts: the same mg becomes a large share near the end, and the plan says so.
    fixed = P.plan_by_amount("diazepam", 10, start_date=START, amount_mg=1, interval_days=14)
    assert fixed.faster_than_reference
    # Reaching zero by a close date needs fast cuts: judged on the plan actually built.
    rushed = P.plan_by_end_date("diazepam", 10, start_date=START, end_date=START + timedelta(days=42),
                                interval_days=7)
    assert rushed.faster_than_reference
    # A plan that only stops from a tiny dose at the very end is not "too fast" for that last step.
    assert pace.assess_pace(mn.get_medication("diazepam"), usual.steps, 14) == pace.PACE_USUAL
    assert usual.steps[-1].effective_percent == 100


def test_a_named_brand_keeps_the_steps_to_its_own_tablets() -> None:
    retard = P.plan_by_percent("Xanax Retard", 3, start_date=START, percent=10, interval_days=14,
                               brand=mn.brand_named("Xanax Retard 3 mg"))
    strengths = {piece.strength_mg for s in retard.steps for piece, _ in s.pieces}
    assert strengths and strengths <= {0.5, 1.0, 2.0, 3.0}
    assert mn.brand_named("alprazolam") is None and mn.brand_named("Alpraz 1 mg") == "Alpraz"
    assert mn.brand_named("Xanax") == "Xanax" and mn.brand_named("Xanax Retard") == "Xanax Retard"
    assert mn.withdrawn_products("alprazolam") == ()  # "alprazolam" does not name the brand "Alpraz"


@pytest.mark.parametrize(("molecule", "smallest"), [("diazepam", 0.25), ("alprazolam", 0.0125), ("oxazepam", 0.5)])
def test_a_start_dose_below_any_dose_taken_is_refused(molecule: str, smallest: float) -> None:
    assert eqv.plausible_min_daily_mg(molecule) == smallest
    with pytest.raises(P.PlanError) as refused:
        P.plan_by_percent(molecule, smallest / 2, start_date=START, percent=10, interval_days=14)
    assert refused.value.code == "start_dose_implausibly_small" and refused.value.params == {"min": smallest}
    plan = P.plan_by_percent(molecule, smallest, start_date=START, percent=10, interval_days=14)
    assert plan.steps[0].dose_mg == smallest


def test_range_problems_reports_every_value_out_of_range_and_skips_the_missing() -> None:
    codes = [error.code for error in P.range_problems(percent=80, interval_days=200, ceiling_percent=0.5)]
    assert codes == ["percent_out_of_range", "interval_out_of_range", "ceiling_out_of_range"]
    assert P.range_problems(percent=10, interval_days=14) == []
    assert P.range_problems() == []
