"""What the anonymiser must never redact: medication names, brand names and doses.

A researcher needs "Loramet 2 mg" and "de 0,5 mg à 0,25 mg". Names come from
the diary's medication reference (every Belgian BZD/Z brand and molecule, with
common misspellings) and from a list of the other medicines members mention
(antidepressants, sleep aids, painkillers: ``data/medications_extra.txt``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from app.diary import medications as reference

EXTRA_FILE = Path(__file__).parent / "data" / "medications_extra.txt"

# A dose: a number and a unit ("2 mg", "0,5mg", "7.5 mg", "20 gouttes", "10 druppels").
DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:mg|µg|ug|mcg|ml|g|gouttes?|druppels?|drops?|comprimés?|tabletten|tablets?|cp)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Case and accents folded, for comparing names as members type them."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@cache
def medication_names() -> frozenset[str]:
    """Every medication name and brand, folded; multi-word brands are kept whole and split."""
    names: set[str] = set()
    for med in reference.list_medications():
        for name in (med.molecule.replace("_", " "), med.name_en, med.name_fr, med.name_nl, *med.brands,
                     *med.other_names, *med.misspellings):
            names.add(fold(name))
    for line in EXTRA_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(fold(line))
    # "Xanax Retard" protects "Xanax" too; strength words alone ("AB", "EG") stay out.
    for name in list(names):
        for word in name.split():
            if len(word) >= 5 and word.isalpha():
                names.add(word)
    return frozenset(n for n in names if len(n) >= 3)


_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges holding a medication name or a dose."""
    names = medication_names()
    ranges = [(m.start(), m.end()) for m in DOSE.finditer(text)]
    for match in _WORD.finditer(text):
        word = fold(match.group()).strip("'’-")
        if word in names or word.rstrip("s") in names:
            ranges.append((match.start(), match.end()))
    return ranges


def is_medication(word: str) -> bool:
    return fold(word).strip(" '’-.") in medication_names()
