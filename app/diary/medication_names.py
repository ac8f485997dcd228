"""Medication names as members type them: a molecule or a Belgian brand, any case, accents or spacing.

Resolution never guesses beyond normalisation (a fuzzy match could turn lorazepam
into lormetazepam): unknown names get suggestions instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache

from app.diary.medications import Medication, Product, UnknownMedication, list_medications
from app.folding import strip_accents

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


def get_medication(molecule: str) -> Medication:
    """The medication for a molecule key (as in the data file); raises UnknownMedication."""
    for med in list_medications():
        if med.molecule == molecule:
            return med
    raise UnknownMedication(molecule, suggest(molecule))
