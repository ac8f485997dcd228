"""Doses that Belgian tablets can make: whole tablets, halves of scored ones, quarters where allowed.

Split from medications.py (the reference data); the planner and the
diazepam cross-over use these to round a dose to something a member can take.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from app.diary.equivalents import equivalence
from app.diary.medication_names import get_medication, normalise
from app.diary.medications import DIAZEPAM, SOLID_FORMS, Medication, Product

#: Only these forms may be split, and only when the product says so (scored /
#: quarterable). Prolonged-release tablets, capsules and lyophilisates never are.
SPLITTABLE_FORMS = frozenset({"tablet"})
_UNIT = 100_000  # doses are compared as integers of 1/100 000 mg (10 ng)


@dataclass(frozen=True, slots=True)
class Piece:
    """One unit a dose is built from: a whole tablet, a half or a quarter."""

    strength_mg: float
    parts: int  # 1 whole, 2 half, 4 quarter

    @property
    def mg(self) -> float:
        return self.strength_mg / self.parts


@dataclass(frozen=True, slots=True)
class Crossover:
    """Information only: the diazepam dose nearest to the equivalent, in Belgian strengths."""

    molecule: str
    dose_mg: float
    diazepam_mg: float
    diazepam_mg_rounded: float
    pieces: tuple[tuple[Piece, int], ...]
    source: str


# ---------------------------------------------------------------- achievable doses
def taper_products(med: Medication, *, brand: str | None = None) -> tuple[Product, ...]:
    """Solid products still sold that doses may be built from: Belgian ones, else any listed.

    Products marked ``marketed = false`` are never offered (they stay in the
    data so that a member who types one is recognised and told).
    """
    solid = [p for p in med.products if p.form in SOLID_FORMS and p.strengths_mg and p.marketed]
    if brand is not None:
        wanted = normalise(brand)
        solid = [p for p in solid if normalise(p.brand) == wanted] or solid
    belgian = [p for p in solid if p.market == "BE"]
    return tuple(belgian or solid)


def _parts(product: Product, *, confirmed: bool) -> list[int]:
    """How a product's tablet may be taken: whole, and halves / quarters where allowed.

    Splitting needs the product text to say so (``scored`` / ``quarterable``)
    and that text to be Belgian (``scored_verified``), or the member's
    confirmation that their pharmacy's tablet may be split.
    """
    parts = [1]
    if product.form in SPLITTABLE_FORMS and (product.scored_verified or confirmed):
        if product.scored:
            parts.append(2)
        if product.quarterable:
            parts.append(4)
    return parts


def pieces(products: Iterable[Product], *, confirmed: bool = False) -> tuple[Piece, ...]:
    """Whole tablets, halves of scored tablets, quarters where allowed.

    Without the member's confirmation (``confirmed``) only what a Belgian text
    verified is used: strengths of ``verified`` products, and splits that a
    Belgian text allows. With it, unverified strengths and splits come in too,
    after the verified ones, so that a dose a verified piece can make keeps it.
    """
    products = [p for p in products if p.marketed]
    found: dict[int, Piece] = {}
    for product in products:
        if product.verified:
            _add(found, product, _parts(product, confirmed=False))
    if confirmed:
        for product in products:
            _add(found, product, _parts(product, confirmed=True))
    return tuple(sorted(found.values(), key=lambda p: -p.mg))


def _add(found: dict[int, Piece], product: Product, parts: list[int]) -> None:
    for strength in product.strengths_mg:
        for p in parts:
            piece = Piece(strength, p)
            found.setdefault(_units(piece.mg), piece)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A tablet (or a way of splitting it) the planner uses only after the member's confirmation."""

    brand: str
    strength_mg: float
    parts: int  # 1: the tablet itself is unverified; 2 or 4: its halves / quarters are


def left_out(products: Iterable[Product]) -> tuple[LeftOut, ...]:
    """What confirmation would add: unverified strengths, and splits no Belgian text allows."""
    out: list[LeftOut] = []
    for product in products:
        if not product.marketed:
            continue
        for strength in product.strengths_mg:
            if not product.verified:
                out.append(LeftOut(product.brand, strength, 1))
            allowed = set(_parts(product, confirmed=False))
            out.extend(LeftOut(product.brand, strength, p)
                       for p in _parts(product, confirmed=True) if p not in allowed)
    return tuple(out)


def verified_piece(piece: Piece, products: Iterable[Product]) -> bool:
    """True if some product's Belgian text vouches for this piece (its strength, and its split)."""
    return any(
        p.marketed and p.verified and piece.strength_mg in p.strengths_mg
        and piece.parts in _parts(p, confirmed=False)
        for p in products
    )


def _units(mg: float) -> int:
    return round(mg * _UNIT)


MAX_PIECES_PER_DOSE = 6  # beyond this many small pieces a dose is impractical


@cache
def _combos(piece_set: tuple[Piece, ...]) -> dict[int, tuple[tuple[Piece, int], ...]]:
    """Every dose made of up to MAX_PIECES_PER_DOSE pieces -> one fewest-piece recipe."""
    best: dict[int, tuple[Piece, ...]] = {0: ()}
    frontier: dict[int, tuple[Piece, ...]] = {0: ()}
    for _ in range(MAX_PIECES_PER_DOSE):
        nxt: dict[int, tuple[Piece, ...]] = {}
        for total, recipe in frontier.items():
            for piece in piece_set:
                t = total + _units(piece.mg)
                if t not in best and t not in nxt:
                    nxt[t] = (*recipe, piece)
        best.update(nxt)
        frontier = nxt
    return {t: _group(r) for t, r in best.items()}


def _group(recipe: tuple[Piece, ...]) -> tuple[tuple[Piece, int], ...]:
    counts: dict[Piece, int] = {}
    for piece in recipe:
        counts[piece] = counts.get(piece, 0) + 1
    return tuple(counts.items())


def recipe_for(piece_set: tuple[Piece, ...], dose_mg: float) -> tuple[tuple[Piece, int], ...] | None:
    """How to make ``dose_mg`` from the pieces, or None if it can't be made exactly.

    Large doses may add any number of the biggest whole tablet to a small recipe.
    """
    if not piece_set:
        return None
    combos = _combos(piece_set)
    target = _units(dose_mg)
    whole = [p for p in piece_set if p.parts == 1]
    biggest = max(whole or piece_set, key=lambda p: p.mg)
    step = _units(biggest.mg)
    for extra in _extra_tablets(piece_set, target, target):
        rest = combos.get(target - extra * step)
        if rest is not None:
            return _merge(rest, biggest, extra)
    return None


def _max_combo(piece_set: tuple[Piece, ...]) -> int:
    return _sorted_sums(piece_set)[-1]


def _extra_tablets(piece_set: tuple[Piece, ...], lo: int, hi: int) -> range:
    """How many extra biggest whole tablets can bring a small recipe's total into [lo, hi] (units).

    Small recipes total between 0 and `_max_combo`, so only a handful of counts
    can work whatever the dose: the loops over this range cost the same for
    0.5 mg and for 1000 mg (a loop from zero once let one request pin a core).
    """
    step = _biggest_whole_units(piece_set)
    first = max(0, -(-(lo - _max_combo(piece_set)) // step))  # ceil((lo - max) / step)
    return range(first, max(hi, -1) // step + 1)


def _merge(recipe: tuple[tuple[Piece, int], ...], piece: Piece, extra: int) -> tuple[tuple[Piece, int], ...]:
    counts = dict(recipe)
    if extra:
        counts[piece] = counts.get(piece, 0) + extra
    return tuple(sorted(counts.items(), key=lambda pc: -pc[0].mg))


def is_achievable(piece_set: tuple[Piece, ...], dose_mg: float) -> bool:
    return dose_mg == 0 or recipe_for(piece_set, dose_mg) is not None


def achievable_between(piece_set: tuple[Piece, ...], lo_mg: float, hi_mg: float) -> float | None:
    """The smallest achievable dose in [lo_mg, hi_mg], or None."""
    if not piece_set or hi_mg < lo_mg:
        return None
    sums = _sorted_sums(piece_set)
    lo, hi = _units(lo_mg), _units(hi_mg)
    step = _biggest_whole_units(piece_set)
    best: int | None = None
    # Once whole tablets alone reach `lo`, more of them only give larger doses.
    for extra in _extra_tablets(piece_set, lo, min(hi, lo + step)):
        base = extra * step
        i = bisect.bisect_left(sums, lo - base)
        if i < len(sums) and sums[i] + base <= hi and (best is None or sums[i] + base < best):
            best = sums[i] + base
    return None if best is None else best / _UNIT


@cache
def _sorted_sums(piece_set: tuple[Piece, ...]) -> tuple[int, ...]:
    return tuple(sorted(_combos(piece_set)))


def _biggest_whole_units(piece_set: tuple[Piece, ...]) -> int:
    whole = [p for p in piece_set if p.parts == 1]
    return _units(max(whole or piece_set, key=lambda p: p.mg).mg)


def diazepam_crossover(molecule: str, dose_mg: float) -> Crossover:
    """Information only: the equivalent diazepam dose, rounded to Belgian diazepam tablets.

    Switching is a prescriber's decision; this just shows what the arithmetic gives.
    """
    eq = equivalence(molecule, dose_mg)
    diazepam = get_medication(DIAZEPAM)
    piece_set = pieces(taper_products(diazepam))
    nearest = _nearest(piece_set, eq.diazepam_mg)
    return Crossover(
        molecule=eq.molecule,
        dose_mg=eq.dose_mg,
        diazepam_mg=eq.diazepam_mg,
        diazepam_mg_rounded=nearest,
        pieces=recipe_for(piece_set, nearest) or (),
        source=eq.source,
    )


def _nearest(piece_set: tuple[Piece, ...], dose_mg: float) -> float:
    below = _largest_at_most(piece_set, dose_mg)
    above = achievable_between(piece_set, dose_mg, dose_mg * 2 + 10)
    options = [d for d in (below, above) if d is not None and d > 0]
    return min(options, key=lambda d: (abs(d - dose_mg), d)) if options else round(dose_mg, 2)


def _largest_at_most(piece_set: tuple[Piece, ...], dose_mg: float) -> float | None:
    if not piece_set:
        return None
    sums = _sorted_sums(piece_set)
    target = _units(dose_mg)
    step = _biggest_whole_units(piece_set)
    best = 0
    for extra in _extra_tablets(piece_set, target - _max_combo(piece_set), target):
        i = bisect.bisect_right(sums, target - extra * step) - 1
        if i >= 0:
            best = max(best, sums[i] + extra * step)
    return best / _UNIT if best else None
