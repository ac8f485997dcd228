"""Dutch product text says "zelfdoding" (the VLESP media guidelines' word), never "zelfmoord"; the help line keeps
its own name, Zelfmoordlijn 1813 (outsider walk: both words were mixed)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# The line's name and its address are proper names; a resource page's search keywords match what people type.
ALLOWED = re.compile(r"(?i)zelfmoordlijn|zelfmoord1813\.be|^keywords = .*$", re.M)


def test_dutch_product_text_says_zelfdoding() -> None:
    with (ROOT / "app/locales/nl/LC_MESSAGES/messages.po").open("rb") as po:
        texts = [s for m in read_po(po, locale="nl") if m.id
                 for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    texts += [path.read_text() for path in (ROOT / "app/resources/content/nl").rglob("*.md")]
    wrong = [text[:80] for text in texts if "zelfmoord" in ALLOWED.sub("", text).casefold()]
    assert not wrong, wrong
