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
