"""The medication reference: Belgian BZD/Z products and their diazepam equivalents.

Pure and database-free. The data lives in ``data/medications.toml`` (every value
cited, with a ``verified`` flag the UI must show); it is read once per process.
Names as members type them are resolved in medication_names.py, doses converted
in equivalents.py, tablets combined in tablets.py.

Equivalents are approximate and vary between people. Nothing here is advice; the
web layer shows the source, the range and the unverified flags with each figure.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
