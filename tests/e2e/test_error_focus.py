"""After a form error the keyboard and screen reader start at what needs fixing (GOV.UK's error summary pattern).

The page the server sends back marks its first error (a summary, else the first
invalid field) with `autofocus`, so focus lands there with or without JavaScript;
with JavaScript, site.js also focuses it where a browser skipped autofocus.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_flows import JS, LANGS, thread_in
from tests.e2e.world import World

SEND = re.compile("^(Publier|Plaatsen)$")


def focused(page: Any) -> dict[str, str]:
    """What has the focus once the page has loaded: its id, its role and its text."""
    page.wait_for_load_state()
    return dict(page.evaluate(
        "() => { const e = document.activeElement; return {id: e.id || '', tag: e.tagName.toLowerCase(),"
        " role: e.getAttribute('role') || '', invalid: e.getAttribute('aria-invalid') || '',"
        " text: (e.innerText || '').trim()}; }"))


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_failed_log_in_puts_the_focus_on_its_message(new_context: Any, lang: str, js: bool) -> None:
    page = new_context(js=js).new_page()
    page.goto(f"/{lang}/account/login")
    page.fill("#pseudonym", f"Personne_{lang}_{'js' if js else 'nojs'}")
    page.fill("#password", "pas le bon mot de passe")
    page.locator("main button[type=submit]").click()
    page.locator("#login-error").wait_for()
    now = focused(page)
    assert now["id"] == "login-error" and now["role"] == "alert" and now["text"]


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_reply_leads_the_focus_to_the_field_to_fix(fresh_member: Any, world: World, lang: str,
                                                           js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    page.fill("#body", "   ")  # passes the browser's `required`; the server finds it empty
    page.locator("#reply").get_by_role("button", name=SEND).click()
    page.locator("#body-error").wait_for()
    # The composer answers with an error summary (every problem at once): it has the focus, and its
    # link takes the keyboard to the field to fix.
    now = focused(page)
    assert now["role"] == "alert" and now["tag"] == "div" and now["text"]
    assert page.locator("[autofocus]").count() == 1
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["id"] == "body" and now["invalid"] == "true"
    # The field says what is wrong: its description includes the error.
    assert "body-error" in (page.locator("#body").get_attribute("aria-describedby") or "")


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_form_with_a_summary_puts_the_focus_on_the_summary(fresh_member: Any, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/diary/plan/new")
    page.fill("#drug", "Loramet")
    page.fill("#start_dose_mg", "2")
    page.fill("#interval_days", "1")  # below the shortest step the server accepts
    page.fill("#reduction_percent", "10")
    page.locator("button[name=action][value=preview]").click()
    page.locator("#interval_days-error").wait_for()
    now = focused(page)
    assert now["role"] == "alert" and now["tag"] == "div" and now["id"] != "interval_days-error"  # the summary
    assert page.locator("[autofocus]").count() == 1  # one per page, as HTML requires
    # The first Tab from the summary reaches its link to the marked field, which takes the focus there.
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "interval_days"


@pytest.mark.parametrize("lang", LANGS)
def test_a_reaction_without_javascript_leaves_the_focus_on_the_post(fresh_member: Any, world: World,
                                                                    lang: str) -> None:
    _name, context = fresh_member(lang, js=False)
    page = context.new_page()
    page.goto(f"/{lang}/t/{world.ids['thread']}")
    post = page.locator("article.post").first
    post_id = post.get_attribute("id")
    post.locator("button.reaction").first.click()
    page.wait_for_url(re.compile(rf"#{post_id}$"))
    # The keyboard goes on from the post reacted to, not from the top of the page (<body>).
    now = focused(page)
    assert now["tag"] == "article" and now["id"] == post_id


@pytest.mark.parametrize("lang", LANGS)
def test_the_error_summary_stands_apart_from_the_first_label(new_context: Any, lang: str) -> None:
    """On the sign-up page the summary touched the "Pseudonym" label under it (outsider walk)."""
    page = new_context(js=False).new_page()
    page.goto(f"/{lang}/account/signup")
    page.fill("#pseudonym", f"Ecart_{lang}")
    page.fill("#password", "une phrase assez longue 42")
    page.fill("#password_confirm", "une autre phrase longue 43")
    page.locator("main button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    summary = page.locator(".error-summary").bounding_box()
    label = page.locator("main form label").first.bounding_box()
    assert summary and label and label["y"] - (summary["y"] + summary["height"]) >= 16, (summary, label)


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_quoting_a_post_leads_the_focus_to_the_reply_box(fresh_member: Any, world: World, lang: str,
                                                          js: bool) -> None:
    """A member's walk on a phone: after "Citer" the quote was in the reply box, but the focus stayed behind."""
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    page.locator('.post a[href*="quote="]').first.click()
    page.wait_for_url(re.compile(r"[?&]quote=\d+"))
    page.wait_for_load_state()
    value = page.locator("#body").input_value()
    assert value.startswith(">") and value.endswith("\n")  # the quote is there, with or without JavaScript
    if js:  # the keyboard and a screen reader land in the box, the caret after the quote, ready to answer
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'body'",
                               timeout=5000)
        now = focused(page)
        assert now["id"] == "body" and now["tag"] == "textarea"
        caret = page.evaluate("() => { const b = document.getElementById('body');"
                              " return [b.selectionStart, b.selectionEnd, b.value.length]; }")
        assert caret == [len(value)] * 3
