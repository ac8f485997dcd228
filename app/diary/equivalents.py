"""Diazepam equivalents of a dose, and the plausible range of a daily dose (typing-error guards).

Equivalents are approximate and vary between people; each figure carries its source,
its range and its unverified flag for the web layer to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.diary.medication_names import resolve_or_raise
from app.diary.medications import (
    ASHTON,
    MAX_DOSE_MG,
    PLAUSIBLE_CEILING_DIAZEPAM_MG,
    PLAUSIBLE_FLOOR_DIAZEPAM_MG,
    SOLID_FORMS,
    EquivalentValue,
    InvalidDose,
    Medication,
)


@dataclass(frozen=True, slots=True)
class OtherEquivalence:
    source: str
    source_id: str
    region: str
    diazepam_mg: float
    diazepam_mg_range: tuple[float, float]
    verified: bool


@dataclass(frozen=True, slots=True)
class Equivalence:
    molecule: str
    dose_mg: float
    diazepam_mg: float
    diazepam_mg_range: tuple[float, float]
    source: str
    source_id: str
    verified: bool
    from_ashton: bool
    other_sources: tuple[OtherEquivalence, ...]


def check_dose(dose_mg: float) -> float:
    """The dose as a float; raises InvalidDose unless it is a finite number of mg in (0, MAX_DOSE_MG]."""
    if isinstance(dose_mg, bool) or not isinstance(dose_mg, int | float):
        raise InvalidDose(dose_mg)
    if not math.isfinite(dose_mg) or not 0 < dose_mg <= MAX_DOSE_MG:
        raise InvalidDose(dose_mg)
    return float(dose_mg)


def round_mg(mg: float) -> float:
    """An amount in mg as it is shown: two decimals, or two significant digits below 0.01 mg.

    A small dose of a weak molecule (0.01 mg oxazepam is 0.0033 mg diazepam) is not nothing:
    rounded to two decimals it read 0, which the diary and the API mean as "none taken".
    """
    return round(mg, 2) if abs(mg) >= 0.01 or mg == 0 else float(f"{mg:.2g}")


def _to_diazepam(dose_mg: float, value: EquivalentValue) -> tuple[float, tuple[float, float]]:
    # A range lo..hi of molecule mg per 10 mg diazepam gives the diazepam range
    # (10*dose/hi, 10*dose/lo); the headline figure uses the range's midpoint.
    mid = round_mg(10 * dose_mg / value.mid)
    return mid, (round_mg(10 * dose_mg / value.hi), round_mg(10 * dose_mg / value.lo))


def _citation(med: Medication, value: EquivalentValue) -> str:
    rng = f"{value.lo:g} mg" if value.lo == value.hi else f"{value.lo:g}-{value.hi:g} mg"
    text = f"{value.source.short}: {rng} {med.molecule.replace('_', ' ')} ≈ 10 mg diazepam"
    if value.source.id != ASHTON:
        text = f"Not in Ashton Manual Table 1; {text}"
    return text if value.verified else f"{text} (unverified)"


def equivalence(name: str, dose_mg: float) -> Equivalence:
    """Diazepam-equivalent of ``dose_mg`` of a molecule or Belgian brand.

    Raises UnknownMedication (with suggestions) or InvalidDose (<= 0, above MAX_DOSE_MG, NaN, inf).
    """
    dose = check_dose(dose_mg)
    med = resolve_or_raise(name)
    primary = med.primary_equivalent
    diazepam_mg, diazepam_range = _to_diazepam(dose, primary)
    others = tuple(
        OtherEquivalence(v.source.short, v.source.id, v.source.region, *_to_diazepam(dose, v), v.verified)
        for v in med.equivalents
        if v is not primary
    )
    return Equivalence(
        molecule=med.molecule,
        dose_mg=dose,
        diazepam_mg=diazepam_mg,
        diazepam_mg_range=diazepam_range,
        source=_citation(med, primary),
        source_id=primary.source.id,
        verified=primary.verified,
        from_ashton=primary.source.id == ASHTON,
        other_sources=others,
    )


def diazepam_to_molecule_mg(med: Medication, diazepam_mg: float) -> float:
    """Inverse of the headline equivalence (Ashton midpoint or the cited fallback)."""
    return diazepam_mg * med.primary_equivalent.mid / 10


def plausible_max_daily_mg(molecule: str) -> float:
    """Above this daily dose the UI should ask "is this right?" (typing-error guard).

    The dose equivalent to PLAUSIBLE_CEILING_DIAZEPAM_MG of diazepam, using the
    most generous figure any source gives (the largest mg per 10 mg diazepam).
    """
    med = resolve_or_raise(molecule)
    most_generous = max(v.hi for v in med.equivalents)
    return round(PLAUSIBLE_CEILING_DIAZEPAM_MG * most_generous / 10, 3)


def plausible_min_daily_mg(molecule: str) -> float:
    """Below this daily dose a taper plan is refused as a typing error (QA: 0.0001 mg gave a step 1 of 0 mg).

    The smaller of a quarter of the smallest tablet still sold and the dose
    equivalent to PLAUSIBLE_FLOOR_DIAZEPAM_MG of diazepam by the most generous
    figure any source gives (the smallest mg per 10 mg diazepam), so that a
    small compounded dose near the end of a taper is never refused. Rounded down.
    """
    med = resolve_or_raise(molecule)
    floor = PLAUSIBLE_FLOOR_DIAZEPAM_MG * min(v.lo for v in med.equivalents) / 10
    tablets = [s for p in med.products if p.marketed and p.form in SOLID_FORMS for s in p.strengths_mg]
    if tablets:
        floor = min(floor, min(tablets) / 4)
    return math.floor(floor * 10000) / 10000
