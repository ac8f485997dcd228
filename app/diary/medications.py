"""The medication reference: Belgian BZD/Z products and their diazepam equivalents.

Pure and database-free. The data lives in ``data/medications.toml`` (every value
cited, with a ``verified`` flag the UI must show); it is read once per process.

Equivalents are approximate and vary between people. Nothing here is advice; the
web layer shows the source, the range and the unverified flags with each figure.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.folding import strip_accents

DATA_FILE = Path(__file__).parent / "data" / "medications.toml"
ASHTON = "ashton_2002"
DIAZEPAM = "diazepam"
#: A typing-error guard, not a clinical limit: doses above the equivalent of this
#: much diazepam a day are almost certainly a slip (µg for mg, a tablet count...).
PLAUSIBLE_CEILING_DIAZEPAM_MG = 150.0
#: The other guard: below the equivalent of this much diazepam a day (and below a quarter of
#: the smallest tablet sold) a starting dose is a slip (0.0001 mg, g for mg), not a dose anyone
#: tapers from; the planner's own last step already goes to zero from 0.5 mg of diazepam.
PLAUSIBLE_FLOOR_DIAZEPAM_MG = 0.25
#: The largest dose accepted at all, in mg of any molecule: twice the most generous
#: "plausible" ceiling (450 mg oxazepam). Above it a number is a slip or an attack,
#: and bounding it keeps every calculation on a dose small and fast.
MAX_DOSE_MG = 1000.0
#: Forms the planner may combine into a dose. Liquids and drops are listed for
#: information only: measuring them is a prescriber's and pharmacist's matter.
SOLID_FORMS = frozenset(
    {"tablet", "prolonged_release_tablet", "capsule", "orodispersible", "sublingual_tablet"}
)
#: Only these forms may be split, and only when the product says so (scored /
#: quarterable). Prolonged-release tablets, capsules and lyophilisates never are.
SPLITTABLE_FORMS = frozenset({"tablet"})
_UNIT = 100_000  # doses are compared as integers of 1/100 000 mg (10 ng)


# ---------------------------------------------------------------- errors
class DiaryError(Exception):
    """Base of the diary core's expected failures; ``code`` is for the UI to translate."""

    code = "diary_error"


class UnknownMedication(DiaryError, LookupError):
    code = "unknown_medication"

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        super().__init__(f"unknown medication {name!r}; did you mean {suggestions}?")


class InvalidDose(DiaryError, ValueError):
    code = "invalid_dose"

    def __init__(self, dose_mg: object):
        self.dose_mg = dose_mg
        super().__init__(f"dose must be a finite number of mg above 0 and at most {MAX_DOSE_MG:g}, not {dose_mg!r}")


# ---------------------------------------------------------------- data model
@dataclass(frozen=True, slots=True)
class Source:
    id: str
    short: str
    title: str
    region: str
    url: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class EquivalentValue:
    """mg of the molecule taken as equal to 10 mg oral diazepam, per one source."""

    source: Source
    lo: float
    hi: float
    verified: bool
    note: str = ""

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2


@dataclass(frozen=True, slots=True)
class Product:
    brand: str
    market: str
    form: str
    strengths_mg: tuple[float, ...]
    scored: bool
    quarterable: bool
    verified: bool
    scored_verified: bool
    source: Source
    note: str = ""
    mg_per_ml: float | None = None
    mg_per_drop: float | None = None
    #: False: no longer sold in Belgium (recognised when typed, never planned with).
    marketed: bool = True


@dataclass(frozen=True, slots=True)
class Medication:
    molecule: str
    name_en: str
    name_fr: str
    name_nl: str
    half_life_hours: str
    half_life_class: str
    half_life_source: Source
    half_life_verified: bool
    equivalents: tuple[EquivalentValue, ...]
    products: tuple[Product, ...]
    misspellings: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return {"fr": self.name_fr, "nl": self.name_nl}.get(lang, self.name_en)

    @property
    def in_ashton(self) -> bool:
        return any(e.source.id == ASHTON for e in self.equivalents)

    @property
    def primary_equivalent(self) -> EquivalentValue:
        """Ashton's figure where Table 1 has the molecule, else the first cited one."""
        for value in self.equivalents:
            if value.source.id == ASHTON:
                return value
        return self.equivalents[0]

    @property
    def brands(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.brand for p in self.products))


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


# ---------------------------------------------------------------- loading
def _source(sources: dict[str, Source], source_id: str) -> Source:
    try:
        return sources[source_id]
    except KeyError:
        raise ValueError(f"medications.toml cites undefined source {source_id!r}") from None


def _product(raw: dict, sources: dict[str, Source]) -> Product:
    return Product(
        brand=raw["brand"],
        market=raw["market"],
        form=raw["form"],
        strengths_mg=tuple(float(s) for s in raw["strengths_mg"]),
        scored=raw["scored"],
        quarterable=raw["quarterable"],
        verified=raw["verified"],
        scored_verified=raw["scored_verified"],
        source=_source(sources, raw["source"]),
        note=raw.get("note", ""),
        mg_per_ml=raw.get("mg_per_ml"),
        mg_per_drop=raw.get("mg_per_drop"),
        marketed=raw.get("marketed", True),
    )


def _medication(raw: dict, sources: dict[str, Source]) -> Medication:
    equivalents = tuple(
        EquivalentValue(_source(sources, e["source"]), e["lo"], e["hi"], e["verified"], e.get("note", ""))
        for e in raw["equivalents"]
    )
    return Medication(
        molecule=raw["molecule"],
        name_en=raw["name_en"],
        name_fr=raw["name_fr"],
        name_nl=raw["name_nl"],
        half_life_hours=raw["half_life_hours"],
        half_life_class=raw["half_life_class"],
        half_life_source=_source(sources, raw["half_life_source"]),
        half_life_verified=raw["half_life_verified"],
        equivalents=equivalents,
        products=tuple(_product(p, sources) for p in raw.get("products", [])),
        misspellings=tuple(raw.get("misspellings", [])),
        other_names=tuple(raw.get("other_names", [])),
    )


@cache
def _load() -> tuple[dict[str, Source], tuple[Medication, ...]]:
    with DATA_FILE.open("rb") as f:
        raw = tomllib.load(f)
    sources = {
        key: Source(key, s["short"], s["title"], s["region"], s.get("url"), s.get("note", ""))
        for key, s in raw["sources"].items()
    }
    meds = tuple(_medication(m, sources) for m in raw["medications"])
    return sources, tuple(sorted(meds, key=lambda m: m.molecule))


def list_sources() -> dict[str, Source]:
    return dict(_load()[0])


def list_medications() -> tuple[Medication, ...]:
    return _load()[1]


def get_medication(molecule: str) -> Medication:
    """The medication for a molecule key (as in the data file); raises UnknownMedication."""
    for med in list_medications():
        if med.molecule == molecule:
            return med
    raise UnknownMedication(molecule, suggest(molecule))


# ---------------------------------------------------------------- names
_NOISE = re.compile(r"^(\d+([.,]\d+)?(mg|µg|ug|mcg|ml|g)?|mg|µg|ug|mcg|ml|g)$")


def _tokens(text: str) -> list[str]:
    text = strip_accents(text).encode("ascii", "ignore").decode().lower()
    words = re.split(r"[^a-z0-9.,]+", text)
    return [w.strip(".,") for w in words if w.strip(".,") and not _NOISE.match(w.strip(".,"))]


def _key(tokens: Iterable[str]) -> str:
    """A spelling-tolerant key; applied to known names and queries alike.

    Accents, case, spaces, punctuation and strength tokens ("0,5 mg") are dropped;
    k/c are merged and a final -e or -n/-m is folded, so "Zolpidém",
    "alprazolame", "lormetazepan" and "zopiklon" meet their molecules. A test
    checks that no two medications share a key.
    """
    key = "".join(tokens).replace("k", "c")
    key = re.sub(r"(?<=[mn])e$", "", key)
    return re.sub(r"n$", "m", key)


def normalise(name: str) -> str:
    return _key(_tokens(name))


@cache
def _index() -> dict[str, tuple[Medication, str]]:
    """normalised key -> (medication, display name)."""
    index: dict[str, tuple[Medication, str]] = {}
    for med in list_medications():
        names = (med.molecule.replace("_", " "), med.name_en, med.name_fr, med.name_nl,
                 *med.brands, *med.other_names, *med.misspellings)
        for display in names:
            index.setdefault(normalise(display), (med, display))
    return index


def resolve(name: str) -> Medication | None:
    """The medication a member typed: molecule or brand, any case, accents or spacing.

    Falls back to the longest leading run of words that is known, so "Lorazepam
    Mylan 1 mg" finds lorazepam. Never guesses beyond normalisation: a fuzzy
    match could turn lorazepam into lormetazepam, so unknown names get
    ``suggest`` instead.
    """
    tokens = _tokens(name)
    index = _index()
    for end in range(len(tokens), 0, -1):
        hit = index.get(_key(tokens[:end]))
        if hit is not None:
            return hit[0]
    return None


def suggest(name: str, n: int = 5) -> list[str]:
    """The closest known names (molecules first, then brands), for "did you mean"."""
    index = _index()
    keys = difflib.get_close_matches(normalise(name), index.keys(), n=n * 3, cutoff=0.6)
    shown: list[str] = []
    for key in keys:
        med, display = index[key]
        if display in med.misspellings:
            display = med.name_en
        if display not in shown:
            shown.append(display)
    return shown[:n]


_STRENGTH = re.compile(r"(\d+(?:[.,]\d+)?)\s*mg\b", re.I)


def withdrawn_products(name: str) -> tuple[Product, ...]:
    """The no-longer-marketed products a typed name points to ("Rohypnol 2 mg").

    A name points to a withdrawn product when it gives a strength that only
    withdrawn products of the brand (or, without a brand, of the molecule)
    have, or names a brand whose every product is withdrawn.
    """
    med = resolve(name)
    if med is None:
        return ()
    named = [p for p in med.products if _starts_with_brand(name, p.brand)] or list(med.products)
    withdrawn = [p for p in named if not p.marketed]
    if not withdrawn:
        return ()
    typed = {float(m.replace(",", ".")) for m in _STRENGTH.findall(name)}
    if typed:
        sold = {s for p in named if p.marketed for s in p.strengths_mg}
        return tuple(p for p in withdrawn if (typed & set(p.strengths_mg)) - sold)
    return tuple(withdrawn) if len(withdrawn) == len(named) else ()


def brand_named(name: str) -> str | None:
    """The brand a typed name starts with ("Xanax Retard 1 mg" -> "Xanax Retard"), else None.

    The longest brand wins, so "Xanax Retard" is not read as "Xanax". A molecule
    name ("alprazolam") names no brand: every brand's tablets may be used.
    """
    med = resolve(name)
    if med is None:
        return None
    named = [brand for brand in med.brands if _starts_with_brand(name, brand)]
    return max(named, key=lambda brand: len(_tokens(brand))) if named else None


def _starts_with_brand(name: str, brand: str) -> bool:
    """True if the typed name's first words are the brand's ("alprazolam" does not start with "Alpraz")."""
    typed, words = _tokens(name), _tokens(brand)
    return bool(words) and len(typed) >= len(words) and _key(typed[:len(words)]) == _key(words)


def resolve_or_raise(name: str) -> Medication:
    med = resolve(name)
    if med is None:
        raise UnknownMedication(name, suggest(name))
    return med


# ---------------------------------------------------------------- equivalence
def _check_dose(dose_mg: float) -> float:
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
    dose = _check_dose(dose_mg)
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
