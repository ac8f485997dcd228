"""The diary's expected failures, and the translation of the pure core's error codes.

The core (medications, planner, symptoms) raises plain exceptions with codes;
here they become ``ValidationFailed`` with a msgid, so the HTML and JSON paths
show the same message in the member's language.
"""

from __future__ import annotations

from app.diary.medications import MAX_DOSE_MG, InvalidDose, UnknownMedication
from app.diary.pace import REFERENCE_MAX_CUT_PERCENT, USUAL_CUT_PERCENT
from app.diary.plan_holds import HOLD_RANGE
from app.diary.planner import INTERVAL_RANGE, PERCENT_RANGE, PlanError
from app.errors import ValidationFailed
from app.i18n import LocalNumber, gettext
from app.i18n_markers import N_
from app.plain_text import quoted


class UnknownMedicationError(ValidationFailed):
    """An unknown name, with the closest known names for "did you mean"."""

    def __init__(self, name: str, suggestions: list[str], field: str | None = None, status_code: int = 422):
        shown = quoted(name)
        if suggestions:
            super().__init__(N_("We do not know the medication “%(name)s”. Did you mean: %(suggestions)s?"),
                             field=field, name=shown, suggestions=", ".join(suggestions))
        else:
            super().__init__(N_("We do not know the medication “%(name)s”. Check the spelling, or write the "
                                "name of the molecule (for example: lormetazepam)."), field=field, name=shown)
        self.name = name
        self.suggestions = suggestions
        self.status_code = status_code
        self.extra = {"suggestions": suggestions}

    def form_message(self) -> str:
        """On the day form the known names are buttons of their own, introduced as different medicines:
        "lorazepam" is not a spelling of "lormetazepam", so nothing suggests it is."""
        if not self.suggestions:
            return self.translated()
        return gettext("We do not know the medication “%(name)s”. Check the name on the box.",
                       name=quoted(self.name))


class DoseReview(Exception):
    """A dose far above usual daily doses: the form asks "is this right?" once.

    Never a refusal: the member confirms and the entry or plan is saved. The
    JSON API does not raise it; it returns a warning code instead.
    """

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("dose review")
        self.warnings = warnings


class PaceNotConfirmed(ValidationFailed):
    """A plan faster than the reference pace, saved without the member's explicit confirmation.

    Never a silent refusal and never a silent acceptance: the form shows the
    warning and a checkbox; the JSON API answers 422 until ``pace_confirmed``
    is true (app/diary/pace.py).
    """

    def __init__(self) -> None:
        super().__init__(N_("This plan goes faster than usually advised. To save it, tick the box to confirm "
                            "that you have read the warning and will discuss this pace with your doctor or "
                            "pharmacist before you start."), field="pace_confirmed")
        self.extra = {"warnings": ["pace_faster_than_reference"]}


def invalid_dose(field: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        N_("Enter the dose in mg as a number above zero and at most %(max)s, for example 0.5 or 2."),
        field=field, max=LocalNumber(MAX_DOSE_MG),
    )


def dose_too_small(field: str, smallest: float) -> ValidationFailed:
    return ValidationFailed(N_("This dose is too small to be measured or shown: enter at least %(min)s mg, "
                               "for example 0.5 or 2."), field=field, min=LocalNumber(smallest))


def bidi_in_drug_name(field: str) -> ValidationFailed:
    return ValidationFailed(N_("A medication name cannot contain text-direction control characters (such as "
                               "right-to-left override). Please remove them."), field=field)


def unknown_medication(exc: UnknownMedication, field: str | None = None) -> UnknownMedicationError:
    return UnknownMedicationError(exc.name, exc.suggestions, field=field)


PLAN_ERRORS: dict[str, tuple[str, str]] = {
    # code: (form field, msgid)
    "percent_out_of_range": ("reduction_percent",
                             N_("Choose a cut between %(min)s and %(max)s percent of the current dose.")),
    "interval_out_of_range": ("interval_days", N_("Choose a step interval between %(min)s and %(max)s days.")),
    "ceiling_out_of_range": ("ceiling_percent",
                             N_("Choose a largest acceptable cut between %(min)s and %(max)s percent.")),
    "amount_out_of_range": ("amount_mg", N_("Choose a cut above 0 mg and no larger than the starting dose.")),
    "amount_too_small": ("amount_mg", N_("Choose a cut of at least %(min)s mg: a smaller amount cannot be "
                                         "measured out, even by a pharmacist.")),
    "end_dose_invalid": ("start_dose_mg", N_("The end dose must be lower than the starting dose.")),
    "start_dose_implausibly_small": ("start_dose_mg", N_("This dose is below the smallest amount usually taken "
                                                         "of this medication (%(min)s mg). Check that it is in "
                                                         "mg and per day.")),
    "end_date_too_soon": ("end_date", N_("Choose an end date later than the first step.")),
    "hold_step_out_of_range": ("step_index", N_("This step is not in your plan.")),
    "hold_days_out_of_range": ("days", N_("Choose a pause between %(min)s and %(max)s days.")),
}
_RANGES = {
    "percent_out_of_range": PERCENT_RANGE,
    "ceiling_out_of_range": PERCENT_RANGE,
    "interval_out_of_range": INTERVAL_RANGE,
    "hold_days_out_of_range": HOLD_RANGE,
}


def plan_error(exc: PlanError) -> ValidationFailed:
    field, message = PLAN_ERRORS.get(exc.code, ("start_dose_mg", N_("This plan cannot be calculated.")))
    lo, hi = _RANGES.get(exc.code, (0, 0))
    # Numbers are written in the reader's language ("0,25 mg" in French and Dutch), never as Python prints them.
    params = {key: LocalNumber(value) if isinstance(value, int | float) else value for key, value in
              {"min": lo, "max": hi, **exc.params}.items()}
    return ValidationFailed(message, field=field, **params)


def translate_core_error(exc: Exception, *, drug_field: str = "drug", dose_field: str = "dose_mg") -> ValidationFailed:
    """The ValidationFailed for an error of the pure core; re-raises anything else."""
    if isinstance(exc, UnknownMedication):
        return unknown_medication(exc, drug_field)
    if isinstance(exc, InvalidDose):
        return invalid_dose(dose_field)
    if isinstance(exc, PlanError):
        return plan_error(exc)
    raise exc


#: Warning codes (planner and diary) -> msgids. Prose lives in templates' language.
WARNINGS: dict[str, str] = {
    "no_tablet_strengths": N_("We have no tablet strengths for this medication: every step would need a "
                              "compounded preparation. Ask your pharmacist what is possible."),
    "strengths_not_belgian": N_("The tablet strengths used here are not Belgian ones; check with your "
                                "pharmacist what is available in Belgium."),
    # Stored in plans calculated before issue 18 (the planner no longer emits it).
    "strengths_unverified": N_("Some tablet strengths used here could not be confirmed in a Belgian leaflet "
                               "(unverified)."),
    "tablets_unverified_left_out": N_("Some tablets of this medication (or the halves of some) could not be "
                                      "confirmed in a Belgian leaflet, so the steps do not use them. If your "
                                      "pharmacist confirms that your pharmacy has them, tick the box on the form "
                                      "and show the steps again."),
    "tablets_confirmed_by_member": N_("Some steps use tablets (or halves) that you confirmed with your pharmacy "
                                      "but that we could not confirm in a Belgian leaflet. Check the plan with "
                                      "your pharmacist."),
    "product_not_marketed": N_("The product you named is no longer sold in Belgium; the steps use the tablets "
                               "that are. Your doctor or pharmacist can tell you what replaces it."),
    "equivalence_not_ashton_or_unverified": N_("The diazepam equivalent of this medication is not in the Ashton "
                                               "Manual's table or could not be verified: treat it with extra "
                                               "care."),
    "start_dose_implausible": N_("This dose is far above usual daily doses. Check that it is in mg and per day."),
    "dose_implausible": N_("This dose is far above usual daily doses. Check that it is in mg and per day."),
    "start_dose_not_achievable": N_("The starting dose cannot be made exactly with Belgian tablets; it may "
                                    "already be a compounded preparation."),
    "compounding_needed": N_("Some steps need a compounded preparation (marked below)."),
    "pace_above_usual": N_("This pace is faster than the usual reference: cuts of about %(usual_low)s to "
                           "%(usual)s %% of the current dose every 2 to 4 weeks. Many people need it slower "
                           "still. Talk it over with your doctor or pharmacist, and slow down or pause whenever "
                           "you need to."),
    "pace_faster_than_reference": N_("This plan goes faster than usually advised: some steps cut more than "
                                     "%(largest)s %% of the dose at once, or within two weeks. The usual "
                                     "reference is about %(usual_low)s to %(usual)s %% of the current dose every 2 "
                                     "to 4 weeks, never more than about %(largest)s %% at a time, adjusted with "
                                     "a doctor. Reducing too fast can bring strong withdrawal symptoms, and "
                                     "stopping abruptly can be dangerous. Do not follow this plan before talking "
                                     "to your doctor or pharmacist."),
    "steps_exceed_ceiling": N_("Some steps cut more than the largest cut you chose (marked below). With fixed "
                               "cuts, the percentage grows near the end: this is a common cause of harder "
                               "symptoms late in a taper."),
    "short_half_life": N_("This medication acts for a short time; some people find steps easier after a "
                          "switch to a longer-acting one. That is a decision to take only with your doctor."),
    "plan_truncated": N_("The plan stops after too many steps; choose a larger cut to reach zero."),
    "end_date_later_than_needed": N_("Even the gentlest pace we calculate (a cut of %(gentlest)s %% of the "
                                     "current dose at each step) reaches the end before the date you chose, so "
                                     "the plan below ends earlier. To go more slowly, choose more days between "
                                     "steps, or pause at any step for as long as you need."),
    "end_date_too_soon": N_("Even the fastest pace we calculate (half the dose per step) does not reach zero by "
                            "the end date you chose. The plan below ends later; a gentler pace is usually "
                            "easier."),
}


#: The reference pace the warnings quote (app/diary/pace.py).
PACE_NUMBERS = {"gentlest": f"{PERCENT_RANGE[0]:g}", "usual_low": "5", "usual": f"{USUAL_CUT_PERCENT:g}",
                "largest": f"{REFERENCE_MAX_CUT_PERCENT:g}"}


def warning_text(code: str) -> str:
    return gettext(WARNINGS[code], **PACE_NUMBERS) if code in WARNINGS else code
