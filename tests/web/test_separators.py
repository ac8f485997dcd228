"""A "·" separator never begins a line on a narrow screen (outsider walk, 390 px)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# A page's <title> is no line anyone reads wrapped.
TITLE = re.compile(r"\{% block title %\}.*?\{% endblock %\}|<title>.*?</title>", re.S)
LINK_ROW = re.compile(r'<p class="link-row">.*?</p>', re.S)


def test_no_separator_can_start_a_line() -> None:
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text()
        # In a row of links (a flex box) a "·" is an item of its own: the row's gap separates them.
        wrong += [f"{path.name}: a '·' in a link row" for row in LINK_ROW.findall(source)
                  if "·" in JINJA.sub("", row)]
        text = JINJA.sub("", TITLE.sub("", source))
        # Elsewhere the dot holds to what comes before it: a no-break space, never a space or a line break.
        wrong += [f"{path.name}: {match.group(0)!r}" for match in re.finditer(r".{0,20}\s·", text)]
    assert not wrong, "\n".join(wrong)
