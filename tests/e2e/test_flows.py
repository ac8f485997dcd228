"""What a member does, in a real browser at 390 px, in French and in Dutch; with and without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import LiveServer
from tests.e2e.world import PASSWORD, World

LANGS = ["fr", "nl"]
JS = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]
# Stigma: a label aimed at others (members describing themselves are never lectured).
WORDS = {
    "fr": {"stigma": "Les toxicos de la gare me font peur depuis des années.",
           "rephrased": "Les personnes qui consomment à la gare me font peur depuis des années.",
           "crisis": "Ce soir je n'ai plus envie de vivre.", "phone": "0800 32 123",
           "logout": "Se déconnecter", "login": "Se connecter"},
    "nl": {"stigma": "Die junkies aan het station maken me al jaren bang.",
           "rephrased": "Die mensen die aan het station gebruiken maken me al jaren bang.",
           "crisis": "Ik wil niet meer leven, echt niet.", "phone": "1813",
           "logout": "Uitloggen", "login": "Inloggen"},
}


def thread_in(world: World, lang: str) -> str:
    """A thread written in `lang`: the moderation engine reads a post in its thread's language."""
    return world.ids["thread" if lang == "fr" else "dutch_thread"]


def landed_post(page: Any) -> Any:
    """The post a redirect after posting landed on (#pNN)."""
    page.wait_for_url(re.compile(r"#p\d+$"))
    return page.locator("#p" + page.url.rsplit("#p", 1)[1])


def narrow(page: Any) -> None:
    """No page scrolls sideways on a phone."""
    page.wait_for_load_state()  # never measure a page that is still being replaced by a navigation
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide at {width[1]} px"


def open_menu(page: Any) -> None:
    """The phone menu, with or without JavaScript (a link to #site-menu)."""
    if not page.locator("#site-menu").is_visible():
        page.locator(".menu-toggle").click()
    page.locator("#site-menu").wait_for(state="visible")


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_sign_up_keeps_the_codes_then_log_in(new_context: Any, lang: str, js: bool) -> None:
    page = new_context(js=js).new_page()
    name = f"Nouvelle_{lang}_{'js' if js else 'nojs'}"
    page.goto(f"/{lang}/account/signup")
    page.fill("#pseudonym", name)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/account/recovery-codes$"))
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    # The header knows the new member at once: no "log in / join" on the codes page.
    assert page.locator(f'.main-nav a[href="/{lang}/account/login"]').count() == 0
    assert page.locator(".main-nav").get_by_text(name).count() == 1
    narrow(page)
    page.reload()  # used to say "form expired" and lose the codes
    assert page.locator(".recovery-codes code").all_inner_texts() == codes
    # Printable: a print button with JavaScript, and the printed page is the codes, not the menus.
    assert page.locator("[data-print]").is_visible() is js
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".recovery-codes").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.locator(f'a[href="/{lang}/account/recovery-codes.txt"]').click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(code in text for code in codes) and name in text
    # Switching language keeps the page, and the codes.
    other = "nl" if lang == "fr" else "fr"
    page.locator(f'.lang-switch a[hreflang="{other}"]').click()
    page.wait_for_url(re.compile(rf"/{other}/account/recovery-codes$"))
    assert page.locator(".recovery-codes code").all_inner_texts() == codes
    page.goto(f"/{lang}/account/recovery-codes")
    page.locator("button[name=next][value=tour]").click()  # on to the short tour of the forum
    page.wait_for_url(re.compile(rf"/{lang}/welcome$"))
    page.goto(f"/{lang}/account/recovery-codes")
    assert page.locator(".recovery-codes").count() == 0
    open_menu(page)
    page.get_by_role("button", name=WORDS[lang]["logout"]).click()
    page.wait_for_url(re.compile(rf"/{lang}/\?notice=logged_out$"))
    assert page.locator("#logged-out").is_visible()  # logging out says so
    page.goto(f"/{lang}/account/login")
    page.fill("#pseudonym", name)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/$"))
    assert page.locator(".main-nav").get_by_text(name).count() == 1


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_thread_in_another_language_then_reply(fresh_member: Any, lang: str, js: bool) -> None:
    name, context = fresh_member("fr", js=js, read_langs="fr")  # reads French only
    page = context.new_page()
    page.goto(f"/{lang}/c/tapering-now/new")
    title = f"Mon fil {lang} {'js' if js else 'nojs'}"
    page.fill("#title", title)
    page.check(f'input[name=thread_lang][value="{lang}"]')
    first_post = {"fr": "Bonjour, je voulais partager mon premier palier.", "nl": "Hallo, mijn eerste stap."}
    page.fill("#body", first_post[lang])
    page.get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    page.wait_for_url(re.compile(r"/t/\d+"))
    assert page.locator("h1").inner_text() == title
    narrow(page)
    # A jump to the reply form, then a reply.
    page.locator(".toolbar a[href='#reply']").click()
    page.fill("#body", "Et une réponse à moi-même." if lang == "fr" else "En een antwoord.")
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    page.wait_for_url(re.compile(r"/t/\d+"))
    assert page.locator("article.post").count() == 2
    # Reading French only, the member still finds their own thread in the list, whatever its language.
    page.goto(f"/{lang}/c/tapering-now")
    assert page.get_by_role("link", name=title).count() == 1


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_wording_hint_then_rephrase(fresh_member: Any, world: World, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    page.fill("#body", WORDS[lang]["stigma"])
    if js:  # the live hint, before posting
        hint = page.locator("#live-hints")
        hint.wait_for(state="visible")
        assert ("«\u202f" if lang == "fr" else "“") in hint.inner_text()
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    review = page.locator("#wording-review")
    review.wait_for()
    # Quotation marks as the language sets them: « » with narrow spaces in French, “ ” in Dutch.
    if lang == "fr":
        assert "«\u202f" in review.inner_text()
    else:
        assert "“" in review.inner_text() and "«" not in review.inner_text()
    assert page.locator("#body").input_value() == WORDS[lang]["stigma"]  # nothing lost
    page.fill("#body", WORDS[lang]["rephrased"])
    page.locator("form.composer button[type=submit]:not([name])").first.click()
    assert landed_post(page).locator(".post-body").inner_text().strip() == WORDS[lang]["rephrased"]


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_crisis_post_shows_the_help_lines(fresh_member: Any, world: World, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    page.fill("#body", WORDS[lang]["crisis"])
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    page.wait_for_url(re.compile(r"notice=crisis"))
    box = page.locator(".crisis-box")
    assert box.is_visible() and WORDS[lang]["phone"] in box.inner_text()
    assert box.locator('a[href^="tel:"]').count() >= 3
    # The help is also one tap away from every page: early in the header, not 43 tab stops down.
    page.goto(f"/{lang}/t/{world.ids['thread']}")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "header-help":
            break
    else:
        pytest.fail("the help link is not among the first six tab stops")
    assert page.locator(".header-help").inner_text() == {"fr": "Besoin d'aide maintenant\u202f?",
                                                         "nl": "Nu hulp nodig?"}[lang]


def _end_sessions(live_server: LiveServer, pseudonym: str) -> None:
    from app.accounts import service as accounts

    assert live_server.db is not None
    with live_server.db.session() as session:
        user = accounts.get_user_by_pseudonym(session, pseudonym)
        assert user is not None
        accounts.close_other_sessions(session, user=user, keep_token=None)
        session.commit()


@pytest.mark.parametrize("cookie_gone", [pytest.param(False, id="session-ended"), pytest.param(True, id="cookie-gone")])
@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_expired_session_on_submit_keeps_the_text(fresh_member: Any, live_server: LiveServer, world: World,
                                                  lang: str, js: bool, cookie_gone: bool) -> None:
    name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    text = "Un long message que je ne veux surtout pas perdre.\nAvec une deuxième ligne."
    page.fill("#body", text)
    if cookie_gone:  # the browser dropped the cookie
        context.clear_cookies()
    else:  # the session expired on the server while the member wrote
        _end_sessions(live_server, name)
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    carried = page.locator("main textarea")
    carried.wait_for()
    assert carried.input_value() == text
    narrow(page)
    page.fill("#login-pseudonym", name)
    page.fill("#login-password", PASSWORD)
    page.locator("main form").first.locator("button[type=submit]").click()
    # Logged in again, the text is still there, one tap from being sent.
    page.locator("main textarea").wait_for()
    assert page.locator("main textarea").input_value() == text
    assert page.locator(".main-nav").get_by_text(name).count() == 1
    page.locator("main form button[type=submit]").click()
    assert "Avec une deuxième ligne." in landed_post(page).locator(".post-body").inner_text()


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_first_diary_day_and_the_chart(fresh_member: Any, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/diary")
    assert page.locator(".diary-chart").count() == 0  # an empty diary invites, it draws no empty chart
    page.locator(".invite a.button").click()
    page.wait_for_url(re.compile(r"/diary/entries/new"))
    # One medication row; the others behind "add another"; the usual symptoms first.
    assert page.locator("#drug_0").is_visible() and not page.locator("#drug_1").is_visible()
    assert page.locator(".symptom-grid select:visible").count() <= 6
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, f"the day form is {height} px long on a phone (it was 4,400)"
    page.fill("#drug_0", "Loramet")
    page.fill("#dose_0", "2")
    page.select_option("#sym_insomnia", "2")
    page.fill("#sleep_hours", "5,5")
    page.locator(".actions button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/diary\?notice=saved"))
    chart = page.locator(".chart-narrow svg")
    assert chart.is_visible()
    assert "Loramet" in chart.inner_html()  # the member's own medication, not only diazepam equivalents
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.chart-narrow svg text')).fontSize)"
                         " * document.querySelector('.chart-narrow svg').getBoundingClientRect().width / 360")
    assert font >= 11, f"chart labels are {font:.1f} px on a phone"
    narrow(page)
    # Deleting asks first.
    page.locator(".entry-list .danger-action").first.click()
    page.wait_for_url(re.compile(r"/delete$"))
    page.locator(".confirm-actions a").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.goto(f"/{lang}/diary")
    page.locator(".entry-list .danger-action").first.click()
    page.locator(".confirm-actions button").click()
    page.wait_for_url(re.compile(r"notice=deleted"))
    assert page.locator(".entry-list li").count() == 0


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_taper_plan(fresh_member: Any, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/diary/plan")
    page.locator("main a.button").click()
    page.wait_for_url(re.compile(r"/diary/plan/new"))
    page.fill("#drug", "Loramet")
    page.fill("#start_dose_mg", "2")
    page.fill("#interval_days", "14")
    page.fill("#reduction_percent", "10")
    page.locator("button[name=action][value=preview]").click()
    # The click only starts the navigation: wait for the preview page's rows, never count the old page's.
    page.locator("table.plan-steps tbody tr").nth(3).wait_for(state="attached")
    assert page.locator("table.plan-steps tbody tr").count() > 3
    narrow(page)
    page.locator("button[name=action][value=save]").click()
    page.wait_for_url(re.compile(r"/diary/plan\?notice=saved"))
    assert page.locator("table.plan-steps .step-current").count() == 1
    narrow(page)


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_a_post(new_context: Any, lang: str, js: bool) -> None:
    page = new_context(js=js).new_page()
    page.goto(f"/{lang}/search")
    page.fill("#q", "palier")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=palier"))
    assert page.locator(".search-results a").filter(has_text="Palier à 1,5 mg").count() >= 1
    narrow(page)


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_keeps_the_page(new_context: Any, world: World, lang: str, js: bool) -> None:
    page = new_context("member", js=js).new_page()
    other = "nl" if lang == "fr" else "fr"
    for path in ("/{lang}/t/{thread}", "/{lang}/diary/plan", "/{lang}/search?q=palier"):
        page.goto(world.fill(path, lang))
        page.locator(f'.lang-switch a[hreflang="{other}"]').click()
        page.wait_for_url("**" + world.fill(path, other))
        assert page.evaluate("document.documentElement.lang") == other


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_phone_menu_opens_and_reaches_every_link(new_context: Any, lang: str, js: bool) -> None:
    page = new_context("member", js=js).new_page()
    page.goto(f"/{lang}/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 110, f"the header is {header} on a phone"
    assert not page.locator("#site-menu").is_visible()
    open_menu(page)
    page.locator("#site-menu a[href$='/diary']").click()
    page.wait_for_url(re.compile(r"/diary$"))


@pytest.mark.parametrize("lang", LANGS)
def test_phone_menu_button_answers_space_and_escape(new_context: Any, lang: str) -> None:
    page = new_context("member", js=True).new_page()
    page.goto(f"/{lang}/")
    toggle = page.locator(".menu-toggle")
    toggle.focus()
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press("Space")
    page.locator("#site-menu").wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("window.scrollY") == scrolled  # Space opened the menu, it did not scroll
    page.keyboard.press("Escape")
    page.locator("#site-menu").wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_delete_a_post_asks_first(fresh_member: Any, world: World, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{world.ids['thread']}")
    page.fill("#body", "Un message que je vais supprimer.")
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    page.wait_for_url(re.compile(r"#p\d+$"))
    post_id = page.url.rsplit("#p", 1)[1]
    mine = page.locator(f"#p{post_id}")
    delete = mine.locator(".danger-action")
    box = delete.bounding_box()
    assert box is not None and box["height"] >= 44
    delete.click()
    page.wait_for_url(re.compile(rf"/p/{post_id}/delete$"))
    page.locator(".confirm-actions button").click()
    page.wait_for_url(re.compile(r"/t/\d+"))
    assert page.locator(f"#p{post_id} .placeholder").count() == 1


@pytest.mark.parametrize("lang", LANGS)
def test_preview_draft_and_reactions(fresh_member: Any, world: World, lang: str) -> None:
    _name, context = fresh_member(lang)
    page = context.new_page()
    page.goto(f"/{lang}/t/{world.ids['thread']}")
    # Reaction buttons say which post they answer.
    first = page.locator("article.post").first.locator("button.reaction").first
    assert "Anna_Namur" in (first.text_content() or "")
    # A draft survives a closed tab.
    page.fill("#body", "Un **brouillon** à garder.")
    page.locator(".draft-status").wait_for(state="visible")
    page.close()
    page = context.new_page()
    page.goto(f"/{lang}/t/{world.ids['thread']}")
    assert page.locator("#body").input_value() == "Un **brouillon** à garder."
    # Preview shows the message as it will look, and posts nothing.
    page.locator("#reply").locator("button[name=preview]").click()
    page.wait_for_url(re.compile(r"/reply$"))
    assert page.locator("#preview strong").inner_text() == "brouillon"
    assert page.locator("#body").input_value() == "Un **brouillon** à garder."


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_share_link_for_the_doctor(fresh_member: Any, new_context: Any, lang: str, js: bool) -> None:
    _name, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/diary/settings")
    page.fill("#label", "Dr")
    page.locator("form[action$='/diary/share'] button[type=submit]").click()
    field = page.locator("#share-link-address")
    field.wait_for()
    address = field.input_value()
    assert "/diary/shared/" in address
    narrow(page)  # the link no longer breaks over three lines: it scrolls inside its field
    assert page.locator("[data-copy]").is_visible() is js
    if js:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.locator("[data-copy]").click()
        # The clipboard answers asynchronously: wait for the status, whichever way copying went.
        page.wait_for_function("document.querySelector('.copy-status').textContent.trim() !== ''")
    page.reload()
    assert page.locator("#share-link-address").input_value() == address
    doctor = new_context().new_page()
    doctor.goto(address)
    assert doctor.locator("h1").count() == 1 and doctor.url.endswith(address.split("/", 3)[3])


WELCOME = {
    "fr": {"notice": "bienvenue", "approve": "Approuver et publier", "decide": "Décider et prévenir la personne",
           "post": "Publier la bienvenue", "written": "vous a écrit", "approved": "a été approuvé"},
    "nl": {"notice": "welkom", "approve": "Goedkeuren en publiceren", "decide": "Beslissen en het lid verwittigen",
           "post": "Welkom plaatsen", "written": "hebben je geschreven", "approved": "is goedgekeurd"},
}


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_moderator_welcomes_a_first_post_and_the_member_reads_why(fresh_member: Any, new_context: Any,
                                                                    lang: str, js: bool) -> None:
    words = WELCOME[lang]
    _name, member_context = fresh_member(lang, js=js, posts=0)  # a newcomer: the first posts wait for a welcome
    page = member_context.new_page()
    page.goto(f"/{lang}/c/introduce-yourself/new")
    # Before the post exists the composer only says what publishing does; the welcome comes after it.
    assert page.locator(".premoderation-hint").is_visible()
    assert words["notice"] not in page.locator("main").inner_text().lower()
    title = f"Bonjour {lang} {'js' if js else 'nojs'}"
    page.fill("#title", title)
    page.fill("#body", "Bonjour, je commence à diminuer doucement." if lang == "fr" else "Hallo, ik begin te afbouwen.")
    page.get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    page.wait_for_url(re.compile(r"notice=welcome"))
    assert words["notice"] in page.locator("#notices").inner_text().lower()
    # A moderator finds it in the queue, on a phone, approves it and is led to say welcome.
    moderator = new_context("moderator", js=js).new_page()
    moderator.goto(f"/{lang}/review?kind=welcome")
    narrow(moderator)
    moderator.get_by_role("link", name=title).click()
    narrow(moderator)
    moderator.get_by_label(words["approve"]).check()
    moderator.fill("#reason", "Bienvenue parmi nous !" if lang == "fr" else "Welkom bij ons!")
    moderator.get_by_role("button", name=words["decide"]).click()
    moderator.wait_for_url(re.compile(r"/review/items/\d+/welcome$"))
    assert moderator.locator("#body").input_value().strip()  # starts from the canned welcome
    moderator.get_by_role("button", name=words["post"]).click()
    moderator.wait_for_url(re.compile(r"/t/\d+"))
    # The member sees the post out, the welcome under it, and the statement of reasons.
    # A plain approval raises no "the moderators wrote to you" banner; its statement waits in the list.
    page.goto(f"/{lang}/")
    assert not page.locator(".site-notice a").filter(has_text=words["written"]).count()
    page.goto(f"/{lang}/account/statements")
    page.locator(".statement-list a").first.click()
    page.wait_for_url(re.compile(rf"/{lang}/account/statements/\d+$"))
    assert words["approved"] in page.locator("main").inner_text()
    narrow(page)


@pytest.mark.parametrize("js", JS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_mention_rings_the_bell_and_lands_on_the_post(fresh_member: Any, world: World, lang: str,
                                                        js: bool) -> None:
    named, named_context = fresh_member(lang, js=js)
    _writer, context = fresh_member(lang, js=js)
    page = context.new_page()
    page.goto(f"/{lang}/t/{thread_in(world, lang)}")
    body = page.locator("#body")
    if js:  # the composer suggests the pseudonym; the arrow keys reach it, Enter completes it
        body.press_sequentially("Merci @" + named[:-1] if lang == "fr" else "Dank je @" + named[:-1])
        # Other members share the prefix (fresh members have published posts, so they are mentionable,
        # and those who posted in this thread come first): the one named need not be the first offered.
        option = page.locator("#mention-suggestions [role=option]", has_text="@" + named)
        option.wait_for()
        for _ in range(page.locator("#mention-suggestions [role=option]").count()):
            if option.get_attribute("aria-selected") == "true":
                break
            body.press("ArrowDown")
        assert option.get_attribute("aria-selected") == "true"
        body.press("Enter")
        assert body.input_value().endswith(f"@{named} ")
    else:  # without JavaScript, the name typed by hand
        body.fill(("Merci @" if lang == "fr" else "Dank je @") + named + " ")
    body.press_sequentially("!")
    page.locator("#reply").get_by_role("button", name=re.compile("^(Publier|Plaatsen)$")).click()
    post = landed_post(page)
    post_id = post.get_attribute("id")
    # The member named sees the bell on any page, opens the notification, lands on the post.
    named_page = named_context.new_page()
    named_page.goto(f"/{lang}/")
    assert named_page.locator("[data-bell-count]").inner_text() == "1"
    named_page.locator("[data-bell]").click()
    named_page.wait_for_url(re.compile(rf"/{lang}/notifications"))
    named_page.locator("main a[href*='/notifications/']", has_text=_writer).first.click()
    named_page.wait_for_url(re.compile(rf"#{post_id}$"))
    narrow(named_page)
    assert named_page.locator("[data-bell-count]").is_hidden()  # read by opening it


def test_the_zip_status_page_updates_in_place_with_javascript(fresh_member: Any, live_server: LiveServer) -> None:
    """It reloaded itself every 5 s even with JavaScript on (outsider walk): now the state is fetched quietly."""
    import datetime as dt

    from sqlalchemy import select

    from app.accounts.models import User
    from app.member_data.models import DataExport, ExportStatus

    name, context = fresh_member("fr", js=True)
    assert live_server.db is not None
    with live_server.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.pseudonym == name))
        session.add(DataExport(user_id=user_id, status=ExportStatus.pending))
        session.commit()
    page = context.new_page()
    page.goto("/fr/account/data/export")
    assert page.locator("#export-state[data-poll-seconds]").count() == 1
    page.evaluate("window.stillTheSamePage = true")
    with live_server.db.session() as session:
        export = session.get(DataExport, user_id)
        assert export is not None
        export.status, export.archive = ExportStatus.ready, b"PK"
        export.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
        session.commit()
    page.locator("#export-state a[href$='/account/data/export.zip']").wait_for(timeout=20_000)
    assert page.evaluate("window.stillTheSamePage === true")  # updated in place, never reloaded
    assert page.locator("#export-state").get_attribute("role") == "status"
    assert page.locator("#export-state[data-poll-seconds]").count() == 0
