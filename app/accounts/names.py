"""Pseudonym rules: NFKC, 3–30 letters/digits/_-., reserved names, confusable look-alikes."""

from __future__ import annotations

import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

from app.errors import ValidationFailed
from app.folding import strip_accents
from app.i18n_markers import N_

MIN_LENGTH = 3
MAX_LENGTH = 30
ALLOWED_PUNCTUATION = frozenset("_-.")

# Names that could pass for staff or the project itself, in FR/NL/EN.
RESERVED = frozenset(
    {
        "admin", "administrator", "administrateur", "administratrice", "beheerder", "beheer",
        "moderator", "moderateur", "moderatrice", "moderation", "moderatie", "mod", "mods",
        "klaver", "trefle", "trefleklaver", "support", "help", "aide", "hulp", "staff",
        "team", "equipe", "root", "system", "systeem", "systeme", "official", "officiel",
        "officieel", "anonymous", "anonyme", "anoniem", "formermember", "ancienmembre",
        "oudlid", "deleted", "supprime", "verwijderd", "null", "none", "api", "static",
        "security", "securite", "veiligheid", "contact", "info", "webmaster", "postmaster",
        "doctor", "docteur", "dokter", "arts", "pharmacien", "apotheker", "pharmacist",
        "research", "recherche", "onderzoek", "crisis", "crise", "fr", "nl", "en",
    }
)


def normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def folded(name: str) -> str:
    return normalise(name).casefold()


def skeleton(name: str) -> str:
    """A look-alike key: two names with the same skeleton read the same to a person.

    Homoglyphs from Unicode's confusables data are mapped to their Latin form,
    accents dropped, and the classic visual pairs (0/o, 1/l/i, rn/m, vv/w)
    folded; separators are dropped because "a.n.n" and "ann" read alike.
    """
    out = []
    for ch in folded(name):
        found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True)
        if found and found[0]["homoglyphs"]:
            latin = [h["c"] for h in found[0]["homoglyphs"] if h["c"].isascii()]
            out.append(latin[0].lower() if latin else ch)
        else:
            out.append(ch)
    text = strip_accents("".join(out)).casefold()
    text = "".join(ch for ch in text if ch not in ALLOWED_PUNCTUATION)
    for source, target in (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("i", "l"), ("|", "l")):
        text = text.replace(source, target)
    return text


@cache
def _reserved_skeletons() -> frozenset[str]:
    return frozenset(skeleton(name) for name in RESERVED)


def validate_pseudonym(raw: str) -> str:
    """The normalised pseudonym, or ValidationFailed with a reason the member understands."""
    name = normalise(raw)
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise ValidationFailed(
            N_("A pseudonym has between %(min)s and %(max)s characters."),
            field="pseudonym", min=MIN_LENGTH, max=MAX_LENGTH,
        )
    for ch in name:
        if not (ch.isalpha() or ch.isdigit() or ch in ALLOWED_PUNCTUATION):
            raise ValidationFailed(
                N_("A pseudonym may contain letters, digits and _ - . only."), field="pseudonym"
            )
    if not any(ch.isalpha() for ch in name):
        raise ValidationFailed(N_("A pseudonym needs at least one letter."), field="pseudonym")
    bare = strip_accents(name).casefold()
    bare_plain = "".join(ch for ch in bare if ch not in ALLOWED_PUNCTUATION)
    if bare in RESERVED or bare_plain in RESERVED or skeleton(name) in _reserved_skeletons():
        raise ValidationFailed(N_("This pseudonym is reserved. Please choose another."), field="pseudonym")
    return name
