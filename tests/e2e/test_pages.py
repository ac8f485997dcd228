"""Every page in pages.py, in French and Dutch, at 390 px and 1280 px.

axe-core: no serious or critical violation (none at all on the moderation
pages). And what axe does not check: no page wider than a phone's viewport,
every form control labelled, no id used twice, the main actions at least 44 px
for a thumb.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import browser as checks
from tests.e2e.pages import LANGS, all_pages
from tests.e2e.server import LiveServer
from tests.e2e.world import World

GATED_IMPACTS = {"serious", "critical"}
# Moderators' and members' moderation pages (issue 10): no axe violation at all, of any impact.
STRICT_PREFIXES = ("/{lang}/review", "/{lang}/admin/", "/{lang}/account/statements", "/{lang}/account/inbox",
                   "/{lang}/account/reports", "/{lang}/moderation-log", "/{lang}/reports/", "/{lang}/p/")


class RolePages:
    """One page per role for the whole module (only GETs here): a fresh context per URL costs more than the checks."""

    def __init__(self, browser: Any, live_server: LiveServer, world: World) -> None:
        self.browser, self.live_server, self.world = browser, live_server, world
        self.pages: dict[str, Any] = {}
        self.errors: list[str] = []

    def get(self, role: str) -> Any:
        if role not in self.pages:
            context = self.browser.new_context(base_url=self.live_server.url, bypass_csp=True, locale="fr-BE",
                                               viewport={"width": 390, "height": 844})
            if role != "anonymous":
                context.add_cookies([{"name": "tk_session", "value": self.world.tokens[role],
                                      "url": self.live_server.url}])
            context.set_default_timeout(30_000)  # a loaded CI machine, not a slow page: the checks measure pages
            page = context.new_page()
            page.on("pageerror", lambda exc: self.errors.append(str(exc)))
            self.pages[role] = page
        return self.pages[role]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def role_pages(browser: Any, live_server: LiveServer, world: World) -> Iterator[RolePages]:
    pages = RolePages(browser, live_server, world)
    yield pages
    pages.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("role", "path"), all_pages())
def test_page(role_pages: RolePages, world: World, role: str, path: str, lang: str) -> None:
    url = world.fill(path, lang)
    page = role_pages.get(role)
    page.set_viewport_size({"width": 390, "height": 844})
    errors_before = len(role_pages.errors)
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url}: {response and response.status}"
    problems: list[str] = []
    strict = path.startswith(STRICT_PREFIXES)

    width = checks.page_width(page)
    if width["scroll"] > width["inner"]:
        problems.append(f"{width['scroll']} px wide at {width['inner']} px: {checks.widest_elements(page)}")
    if unlabelled := checks.unlabelled_controls(page):
        problems.append(f"controls without a label: {unlabelled}")
    if duplicates := checks.duplicate_ids(page):
        problems.append(f"ids used twice: {duplicates}")
    if page.locator(".site-header .header-help").count() != 1:
        problems.append("no 'Need help now?' link in the header")
    if small := checks.small_targets(page):
        problems.append(f"touch targets under {checks.MIN_TARGET_PX} px: {small}")
    if tiny := checks.small_tap_targets(page):
        problems.append(f"tap targets under {checks.MIN_TAP_PX} px (WCAG 2.5.8): {tiny}")
    for width_px in (390, 1280):
        if width_px != 390:
            page.set_viewport_size({"width": width_px, "height": 900})
        gated = [v for v in checks.run_axe(page) if strict or v["impact"] in GATED_IMPACTS]
        if gated:
            problems.append(f"axe at {width_px} px: {gated}")
    errors = role_pages.errors[errors_before:]
    assert not errors, f"{url}: script errors {errors}"
    assert not problems, f"{role} {url}:\n" + "\n".join(problems)


def test_the_checks_can_fail(role_pages: RolePages, world: World) -> None:
    """A page with planted faults: each check above must see its own, or it proves nothing."""
    page = role_pages.get("anonymous")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(world.fill("/{lang}/help", "fr"))
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<img src="/static/img/clover.svg"><input id="x"><input id="x">'
          + '<button style="min-height: 0; padding: 0; font-size: 10px">ok</button><div style="width: 600px">wide</div>'
          + '<p style="color: #bbb; background: #fff">faint</p>');
    }""")
    assert checks.page_width(page)["scroll"] > 390
    assert checks.unlabelled_controls(page) and checks.duplicate_ids(page) == ["x"]
    assert any("ok" in target for target in checks.small_targets(page))
    found = {v["id"] for v in checks.run_axe(page)}
    assert {"image-alt", "label", "color-contrast", "duplicate-id"} & found >= {"image-alt", "label", "color-contrast"}
