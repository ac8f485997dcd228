"""Every page in pages.py, in French and Dutch, at 390 px and 1280 px.

axe-core: no serious or critical violation. And what axe does not check: no
page wider than a phone's viewport, every form control labelled, no id used
twice, the main actions at least 44 px for a thumb.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import browser as checks
from tests.e2e.pages import LANGS, all_pages
from tests.e2e.world import World

GATED_IMPACTS = {"serious", "critical"}


def _load(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status < 500, f"{url}: {response.status}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "path"), all_pages())
def test_page(new_context: Any, world: World, role: str, path: str, lang: str) -> None:
    url = world.fill(path, lang)
    page = new_context(role, width=390, bypass_csp=True).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _load(page, url)
    problems: list[str] = []

    width = checks.page_width(page)
    if width["scroll"] > width["inner"]:
        problems.append(f"{width['scroll']} px wide at {width['inner']} px: {checks.widest_elements(page)}")
    if unlabelled := checks.unlabelled_controls(page):
        problems.append(f"controls without a label: {unlabelled}")
    if duplicates := checks.duplicate_ids(page):
        problems.append(f"ids used twice: {duplicates}")
    if small := checks.small_targets(page):
        problems.append(f"touch targets under {checks.MIN_TARGET_PX} px: {small}")
    for width_px in (390, 1280):
        if width_px != 390:
            page.set_viewport_size({"width": width_px, "height": 900})
        gated = [v for v in checks.run_axe(page) if v["impact"] in GATED_IMPACTS]
        if gated:
            problems.append(f"axe at {width_px} px: {gated}")
    assert not errors, f"{url}: script errors {errors}"
    assert not problems, f"{role} {url}:\n" + "\n".join(problems)
