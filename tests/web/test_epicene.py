"""French addresses the member in epicene wording: no masculine generic, and no "·e" forms (outsider walk)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "app" / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
# A word agreed with "vous" by a middle dot: "vous a remercié·e", "vous êtes connecté·e", "vous seul·e".
DOTTED = re.compile(r"(?i)\bvous(?:\s+[\w']+){0,3}?\s+\w+·e\b")
# Masculine-only agreement with "vous": "vous êtes connecté", "vous êtes prêt", "vous n'êtes pas seul".
MASCULINE = re.compile(r"(?i)\bvous (?:n'|ne )?(?:êtes|serez|restez)(?: pas| déjà| à nouveau)? "
                       r"(?:connecté|déconnecté|inscrit|prêt|seul|prévenu|informé|présenté|sûr|certain|content)\b(?!·)")


def test_french_speaks_to_the_member_without_dots_or_masculine_generic() -> None:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="fr")
    wrong = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [text for text in strings if text and (DOTTED.search(text) or MASCULINE.search(text))]
    assert not wrong, "\n".join(wrong)


ROOT = Path(__file__).resolve().parents[2]
# Reviewed pages, the crisis notice and the moderators' canned replies speak to the member too.
MEMBER_TEXTS = [*sorted((ROOT / "app" / "resources" / "content" / "fr").glob("*.md")),
                ROOT / "moderation" / "lexicons" / "fr.toml", ROOT / "app" / "review" / "data" / "canned.toml"]
SEUL_DOTTED = re.compile(r"(?i)\bseul·e?s?\b|\bvous(?:\s+[\w']+){0,3}?\s+\w+·e\b")


def test_pages_notices_and_canned_replies_speak_without_dotted_forms() -> None:
    wrong = [f"{path.name}: {m.group()}" for path in MEMBER_TEXTS
             for m in SEUL_DOTTED.finditer(path.read_text(encoding="utf-8"))]
    assert not wrong, "\n".join(wrong)


# Any inclusive form written with a middle dot: "modérateur·rice", "un·e", "concerné·es", "ce·tte". The " · " that
# separates items (with spaces) is not one.
ANY_DOTTED = re.compile(r"\w·\w")
# The moderators' pages and the review domain's messages (queues, actions, canned replies, notices).
MODERATOR_SOURCES = [*sorted((ROOT / "templates" / "review").glob("*.html")),
                     *sorted((ROOT / "app" / "review").glob("*.py"))]


def _french(catalog_id: str | tuple[str, ...], catalog: object) -> list[str]:
    message = catalog.get(catalog_id)  # type: ignore[attr-defined]
    if message is None:
        return []
    return [text for text in (message.string if isinstance(message.string, tuple) else (message.string,)) if text]


def test_the_moderators_pages_speak_without_dotted_forms() -> None:
    """Moderator-only pages still said "connecté·e", "un·e modérateur·rice" (outsider walk): reworded as the member
    pages are ("l'équipe de modération", "la personne qui l'a écrit")."""
    from babel.messages.extract import extract_from_file

    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="fr")
    wrong = []
    for path in MODERATOR_SOURCES:
        method = "jinja2" if path.suffix == ".html" else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, msgid, _comments, _context in extract_from_file(method, str(path), options=options):
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            wrong += [f"{path.name}: {text}" for text in _french(key, catalog) if ANY_DOTTED.search(text)]
    assert not wrong, "\n".join(wrong)


def test_no_french_string_uses_a_dotted_form() -> None:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="fr")
    wrong = [text for message in catalog for text in _french(message.id, catalog) if ANY_DOTTED.search(text)]
    wrong += [f"canned.toml: {m.group()}" for m in ANY_DOTTED.finditer(
        (ROOT / "app" / "review" / "data" / "canned.toml").read_text(encoding="utf-8"))]
    assert not wrong, "\n".join(wrong)


def test_member_pages_and_category_descriptions_use_no_dotted_form() -> None:
    """Resource pages, the lexicon's notices, canned replies and the seeded category descriptions:
    'l'équipe de modération', 'chaque personne', never 'un·e modérateur·rice' or 'chacun·e'."""
    paths = [*MEMBER_TEXTS, ROOT / "app" / "forum" / "data" / "categories.toml"]
    wrong = [f"{path.name}: {m.group()}" for path in paths
             for m in re.finditer(r"\w+·\w+", path.read_text(encoding="utf-8"))]
    assert not wrong, "\n".join(wrong)
