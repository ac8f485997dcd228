"""The security corpus's XSS payloads stay inert in the thread page, even with the CSP bypassed.

The Content Security Policy is the second line of defence; this checks the first
(server-side sanitising and escaping) in a real browser by turning the CSP off.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.forum import service as forum
from app.forum.models import Category
from tests.e2e.server import LiveServer
from tests.e2e.world import World
from tests.test_markdown import PAYLOADS


def _thread_of_payloads(live_server: LiveServer) -> int:
    from app.accounts import service as accounts

    assert live_server.db is not None
    with live_server.db.session() as session:
        author = accounts.get_user_by_pseudonym(session, "Anna_Namur")
        category = session.scalar(select(Category).where(Category.slug == "off-topic"))
        assert author is not None and category is not None
        posted = forum.create_thread(session, category=category, author=author, lang="fr",
                                     title="<img src=x onerror=alert('title')> <script>alert(1)</script>",
                                     body=PAYLOADS[0])
        for payload in PAYLOADS[1:]:
            forum.reply(session, thread=posted.thread, author=author, body=payload)
        session.commit()
        return posted.thread.id


def test_payloads_never_run_in_the_thread_page(new_context: Any, live_server: LiveServer, world: World) -> None:
    thread_id = _thread_of_payloads(live_server)
    fired: list[str] = []
    for js_context in (new_context("member", bypass_csp=True, width=1280),):
        page = js_context.new_page()
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda exc: fired.append(f"error: {exc}"))
        for p in range(1, 5):
            response = page.goto(f"/fr/t/{thread_id}?page={p}")
            assert response is not None and response.status == 200
            # Follow every link and open every disclosure a payload might have smuggled in.
            for details in page.locator(".post-body details").all():
                details.evaluate("d => d.open = true")
            dangerous = page.evaluate(
                """() => [...document.querySelectorAll('.posts *, h1 *')].filter(el =>
                    el.tagName === 'SCRIPT' || el.tagName === 'IFRAME' || el.tagName === 'svg' ||
                    [...el.attributes].some(a => a.name.startsWith('on') || a.name === 'style' ||
                      /^\\s*(javascript|vbscript|data):/i.test(a.value))).map(el => el.outerHTML)"""
            )
            assert dangerous == [], dangerous
            for link in page.locator(".post-body a").all():
                link.evaluate("a => a.click()")
            page.wait_for_timeout(50)
    assert fired == []
