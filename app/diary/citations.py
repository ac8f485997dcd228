"""Equivalence sources as a member reads them: a published title stays as published, the framing is translated.

The data file's `short` names are English (they are also the JSON API's `source`, a
contract). On the pages the framing ("Table 1", "addition to ...") is in the reader's
language, while the title of the source ("Ashton Manual") is kept as it was published.
"""

from __future__ import annotations

from app.diary import medication_names as med_names
from app.diary import medications as meds
from app.i18n import format_number, gettext
from app.i18n_markers import N_

TABLE = N_("%(title)s (%(year)s), Table %(table)s")
#: source id -> (msgid of the framing, the published parts it frames)
FRAMED: dict[str, tuple[str, dict[str, str]]] = {
    "ashton_2002": (TABLE, {"title": "Ashton Manual", "year": "2002", "table": "1"}),
    "who_2009": (TABLE, {"title": "WHO, Clinical Guidelines for Withdrawal Management", "year": "2009",
                         "table": "8"}),
    "benzo_case_japan": (N_("%(title)s, an addition to the Ashton Manual's table"), {"title": "benzo-case-japan"}),
    "dokterjohn": (N_("%(title)s (Belgian GP website, %(year)s)"), {"title": "dokterjohn.be", "year": "2013"}),
}


def source_label(source: meds.Source) -> str:
    """The source's short name in the current language (its own `short` where no framing is needed)."""
    framed = FRAMED.get(source.id)
    return gettext(framed[0], **framed[1]) if framed else source.short


def equivalence_citation(molecule: str, locale: str) -> str:
    """"Ashton Manual (2002), tableau 1 : 1–2 mg de lormétazépam ≈ 10 mg de diazépam", in the reader's language."""
    med = med_names.get_medication(molecule)
    value = med.primary_equivalent
    amount = (format_number(value.lo, locale) if value.lo == value.hi
              else f"{format_number(value.lo, locale)}–{format_number(value.hi, locale)}")
    return gettext("%(source)s: %(amount)s mg of %(molecule)s ≈ 10 mg of diazepam", source=source_label(value.source),
                   amount=amount, molecule=med.name(locale))
