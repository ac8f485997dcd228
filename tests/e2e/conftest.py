"""Browser tests: one served app and one Chromium for the whole session, a fresh context per test.

Skipped, with the reason, when Playwright or a system Chromium is missing on a
developer's machine; `.ci/run` installs Chromium and sets FORUM_E2E_REQUIRED=1,
so there a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM_ARGS, chromium_path
from tests.e2e.server import LiveServer
from tests.e2e.world import PASSWORD, World, build_world

REQUIRED = os.environ.get("FORUM_E2E_REQUIRED") == "1"
HERE = Path(__file__).parent
_MEMBERS = itertools.count(1)


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install)"
    if chromium_path() is None:
        return "no system Chromium (apt-get install chromium, or set FORUM_E2E_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _unavailable()
    for item in items:
        if HERE not in Path(str(item.fspath)).parents:
            continue
        # Under xdist each group runs whole on one worker, with its own server and browser started once:
        # the page checks on one, the flows on the other, so both cores drive a browser.
        group = "e2e-pages" if Path(str(item.fspath)).name == "test_pages.py" else "e2e-flows"
        item.add_marker(pytest.mark.xdist_group(group))
        if reason and not REQUIRED:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


def _require_browser() -> str:
    reason = _unavailable()
    if reason:  # only reached with FORUM_E2E_REQUIRED=1: otherwise the tests were marked skipped
        pytest.fail(f"browser tests are required here (FORUM_E2E_REQUIRED=1) but {reason}")
    executable = chromium_path()
    assert executable is not None
    return executable


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    with LiveServer(tmp_path_factory.mktemp("e2e")) as server:
        yield server


@pytest.fixture(scope="session")
def world(live_server: LiveServer) -> World:
    from app.search.service import database_backend
    from app.search.worker import drain

    assert live_server.db is not None
    with live_server.db.session() as session:
        built = build_world(session, live_server.settings)
        session.commit()
    # The served app indexes after its own commits; the world was written from here, so index it here
    # (a search test run alone found nothing until some other test had made the server commit).
    drain(live_server.db, database_backend(live_server.db))
    return built


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _require_browser()  # never Playwright's own download location
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


ContextFactory = Callable[..., Any]


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer, world: World) -> Iterator[ContextFactory]:
    """`new_context(role="member", width=390, js=True, bypass_csp=False)`: a fresh browser profile."""
    opened: list[Any] = []

    def factory(role: str = "anonymous", *, width: int = 390, js: bool = True, bypass_csp: bool = False,
                locale: str = "fr-BE") -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 844 if width < 600 else 900},
            java_script_enabled=js, bypass_csp=bypass_csp, locale=locale, accept_downloads=True,
            device_scale_factor=1,
        )
        context.set_default_timeout(30_000)  # generous: CI machines are shared, and a timeout is not a finding
        if role != "anonymous":
            context.add_cookies([{"name": "tk_session", "value": world.tokens[role], "url": live_server.url}])
        opened.append(context)
        return context

    yield factory
    for context in opened:
        context.close()


@pytest.fixture
def fresh_member(live_server: LiveServer, browser: Any, world: World) -> Iterator[Callable[..., tuple[str, Any]]]:
    """`fresh_member(lang, js=True)`: a new member with nothing yet, logged in in a new browser context.

    It needs the world (the seeded categories): a member's first page may be a category's composer.
    """
    opened: list[Any] = []

    def factory(lang: str, *, js: bool = True, width: int = 390, read_langs: str | None = None,
                posts: int = 3) -> tuple[str, Any]:
        from app.accounts import service as accounts

        assert live_server.db is not None
        name = f"{lang}_{'js' if js else 'nojs'}_{next(_MEMBERS)}"
        with live_server.db.session() as session:
            user = accounts.sign_up(session, live_server.settings, pseudonym=name, password=PASSWORD,
                                    locale=lang).user
            user.read_langs, user.published_posts, user.approved_posts = read_langs or lang, posts, posts
            token = accounts.open_session(session, live_server.settings, user=user, device="Chromium")
            session.commit()
        context = browser.new_context(base_url=live_server.url, java_script_enabled=js,
                                      viewport={"width": width, "height": 844}, accept_downloads=True)
        context.set_default_timeout(30_000)
        context.add_cookies([{"name": "tk_session", "value": token, "url": live_server.url}])
        opened.append(context)
        return name, context

    yield factory
    for context in opened:
        context.close()
