"""What the 31st walk-through (a member on a 390 px phone, French then Dutch) found on the thread and report pages.

A member's "## Ma semaine" was an h4 straight under the page's h2 in the preview and under the h1 in the thread
(a skipped level for screen-reader users); the report form's reasons set their name and their hint side by side,
three squeezed columns on a phone.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_flows import LANGS, narrow
from tests.e2e.world import World

HEADING_LEVELS = "() => [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]" \
    ".map(h => Number(h.tagName[1]))"
POST = {"fr": "## Ma semaine\n\n**Nuits** difficiles, mais ça va.\n\n### Lundi\n\nUn palier de plus.",
        "nl": "## Mijn week\n\n**Nachten** zwaar, maar het gaat.\n\n### Maandag\n\nNog een stap."}


def _skips(levels: list[int]) -> list[tuple[int, int]]:
    return [(before, after) for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]


@pytest.mark.parametrize("lang", LANGS)
def test_a_members_headings_keep_the_pages_outline_whole(fresh_member: Any, world: World, lang: str) -> None:
    _name, context = fresh_member(lang, js=False)
    page = context.new_page()
    page.goto(world.fill("/{lang}/t/{thread}", lang))
    page.fill("#body", POST[lang])
    page.locator("#reply button[name=preview]").click()
    page.wait_for_load_state()
    assert not _skips(page.evaluate(HEADING_LEVELS)), page.evaluate(HEADING_LEVELS)
    page.locator("main form.composer button[type=submit]:not([name])").click()
    page.wait_for_url(re.compile(r"/t/\d+"))
    levels = page.evaluate(HEADING_LEVELS)
    assert 3 in levels and not _skips(levels), levels
    narrow(page)


@pytest.mark.parametrize("lang", LANGS)
def test_each_report_reason_has_its_hint_under_its_name_on_a_phone(new_context: Any, world: World, lang: str) -> None:
    page = new_context("member", width=390).new_page()
    page.goto(world.fill("/{lang}/p/{courage_post}/report", lang))
    reasons = page.locator("label.report-reason")
    assert reasons.count() >= 6
    for index in range(reasons.count()):
        name = reasons.nth(index).locator("strong").bounding_box()
        hint = reasons.nth(index).locator(".hint").bounding_box()
        radio = reasons.nth(index).locator("input").bounding_box()
        assert name and hint and radio
        assert hint["y"] >= name["y"] + name["height"] - 1, f"reason {index}: the hint sits beside its name"
        assert abs(hint["x"] - name["x"]) < 2 and name["x"] > radio["x"] + radio["width"]
    narrow(page)
