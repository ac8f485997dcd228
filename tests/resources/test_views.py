"""Resource pages over HTTP: the contract listing, every page in fr/nl/en, structure, links, JSON."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.forum.seed import seed_categories
from app.i18n import LOCALES
from app.resources.content import library
from tests.factories import html_login, make_user


class Outline(HTMLParser):
    """Headings, links and external resource loads of a page, as a reader's tools see them."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.links: list[str] = []
        self.external_loads: list[str] = []
        self._in_heading: int | None = None
        self._text = ""
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self._in_heading, self._text = int(tag[1]), ""
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for attr in ("src",) if tag in ("script", "img", "iframe") else ("href",) if tag == "link" else ():
            if (values.get(attr) or "").startswith(("http:", "https:", "//")):
                self.external_loads.append(values[attr] or "")

    def handle_data(self, data: str) -> None:
        if self._in_heading is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._in_heading is not None and tag == f"h{self._in_heading}":
            self.headings.append((self._in_heading, self._text.strip()))
            self._in_heading = None


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def assert_accessible_structure(html: str, lang: str) -> Outline:
    page = outline(html)
    assert page.html_lang == lang
    levels = [level for level, _text in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1, page.headings
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}: {page.headings}"
    assert all(text for _level, text in page.headings)
    assert not page.external_loads, page.external_loads
    return page


@pytest.mark.parametrize("lang", LOCALES)
def test_index_lists_every_page_under_resources(client: TestClient, lang: str) -> None:
    """Contract: /{lang}/resources lists every resource page, each linked under /{lang}/resources/..."""
    response = client.get(f"/{lang}/resources")
    assert response.status_code == 200
    page = assert_accessible_structure(response.text, lang)
    linked = {href for href in page.links if href.startswith(f"/{lang}/resources/")}
    expected = {f"/{lang}/resources/{p.slug}" for p in library().pages[lang]}
    assert expected <= linked
    for href in sorted(expected):
        target = client.get(href)
        assert target.status_code == 200, href


@pytest.mark.parametrize("lang", LOCALES)
def test_every_page_renders_with_date_sources_and_structure(client: TestClient, lang: str) -> None:
    label = {"fr": "Relu et vérifié le", "nl": "Laatst nagelezen op", "en": "Last reviewed on"}[lang]
    note = {"fr": "pas un avis médical personnel", "nl": "geen persoonlijk medisch advies",
            "en": "not personal medical advice"}[lang]
    for resource in library().pages[lang]:
        response = client.get(f"/{lang}/resources/{resource.slug}")
        assert response.status_code == 200
        html = response.text
        page = assert_accessible_structure(html, lang)
        assert page.headings[0] == (1, resource.title)
        assert label in html
        assert all(source.url in html for source in resource.sources)
        assert (note in html) == resource.medical, resource.slug
        # The language switcher keeps the reader on the same page.
        for other in LOCALES:
            if other != lang:
                assert f'href="/{other}/resources/{resource.slug}"' in html


def test_internal_links_in_the_content_all_lead_somewhere(client: TestClient, session: Session) -> None:
    seed_categories(session)
    session.commit()
    seen: set[str] = set()
    for lang in LOCALES:
        for resource in library().pages[lang]:
            for href in re.findall(r'href="(/[^"#]*)', resource.html):
                if href in seen:
                    continue
                seen.add(href)
                response = client.get(href, follow_redirects=False)
                # Member pages answer a visitor with "log in first", never with "not found".
                assert response.status_code in (200, 303, 401), f"{lang}/{resource.slug}: {href}"
    assert "/fr/diary/summary" in seen and "/nl/c/relatives-and-friends" in seen


def test_member_pages_linked_from_the_content_open_for_a_member(client: TestClient, session: Session) -> None:
    make_user(session, "Lectrice")
    session.commit()
    html_login(client, "Lectrice")
    for href in ("/fr/diary", "/nl/diary/summary", "/en/account/data"):
        assert client.get(href).status_code == 200, href


def test_unknown_page_and_language_are_404(client: TestClient) -> None:
    assert client.get("/fr/resources/no-such-page").status_code == 404
    assert client.get("/de/resources").status_code == 404
    assert client.get("/de/resources/house-rules").status_code == 404


@pytest.mark.parametrize("lang", LOCALES)
def test_house_rules_have_a_short_address(client: TestClient, lang: str) -> None:
    response = client.get(f"/{lang}/house-rules", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == f"/{lang}/resources/house-rules"
    html = client.get(f"/{lang}/house-rules").text
    for words in {"fr": ("112", "réexamen", "médicaments", "données personnelles"),
                  "nl": ("112", "herbeoordeling", "geneesmiddelen", "persoonsgegevens"),
                  "en": ("112", "appeal", "medicines", "personal details")}[lang]:
        assert words in html


@pytest.mark.parametrize("lang", LOCALES)
def test_header_and_footer_link_the_resources_and_house_rules(client: TestClient, lang: str) -> None:
    html = client.get(f"/{lang}/").text
    assert f'href="/{lang}/resources"' in html
    assert f'href="/{lang}/resources/house-rules"' in html
    assert f'href="/{lang}/welcome"' in html


def test_json_listing(client: TestClient) -> None:
    response = client.get("/api/v1/resources", params={"lang": "nl"})
    assert response.status_code == 200
    pages = response.json()["pages"]
    assert [p["slug"] for p in pages] == [p.slug for p in library().pages["nl"]]
    assert pages[0]["url"] == f"/nl/resources/{pages[0]['slug']}" and pages[0]["sources"]
    assert client.get("/api/v1/resources", params={"lang": "de"}).status_code == 422


def test_json_suggestions_from_findings_and_words(client: TestClient) -> None:
    def suggest(text: str, lang: str = "fr", ui_lang: str | None = None) -> list[str]:
        response = client.post("/api/v1/resources/suggest", json={"text": text, "lang": lang, "ui_lang": ui_lang})
        assert response.status_code == 200, response.text
        return [p["slug"] for p in response.json()["pages"]]

    assert suggest("Arrête tout d'un coup, c'est le seul moyen, crois-moi.")[0] == "gradual-reduction"
    assert suggest("Je n'en peux plus, je veux en finir.")[0] == "crisis-lines"
    assert suggest("I can't sleep at all", "en") == ["sleep-without-medication"]
    response = client.post("/api/v1/resources/suggest", json={"text": "Ik slaap slecht", "lang": "nl",
                                                              "ui_lang": "fr"})
    assert response.json()["pages"][0]["url"] == "/fr/resources/sleep-without-medication"
    assert suggest("Bonne journée !") == []
    assert client.post("/api/v1/resources/suggest", json={"text": "x", "lang": "de"}).status_code == 422


def test_json_suggestions_refuse_a_text_longer_than_a_post_before_reading_it(app, client: TestClient,  # type: ignore[no-untyped-def]
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Open to visitors: 100,000 characters held a core for seconds. A post's body and a thread's title at most."""
    import moderation
    from app.forum.service import TITLE_MAX
    from app.resources import schemas

    assert schemas.TITLE_ROOM == TITLE_MAX + 1  # the composer sends the title, a line break, then the body
    app.state.settings.max_post_chars = 300
    longest = "t" * TITLE_MAX + "\n" + "Je dors mal. " * 23 + "a"  # 200 + 1 + 300
    assert len(longest) == 300 + schemas.TITLE_ROOM
    assert client.post("/api/v1/resources/suggest", json={"text": longest, "lang": "fr"}).status_code == 200

    def not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine ran on a text too long to be a post")

    monkeypatch.setattr(moderation, "check", not_run)
    for lang, words in (("fr", "caractères maximum"), ("nl", "tekens"), ("en", "characters at most")):
        response = client.post("/api/v1/resources/suggest", json={"text": longest + "b", "lang": "fr"},
                               headers={"Accept-Language": lang})
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["field"] == "text" and words in body["detail"] and "501" in body["detail"]
        assert body["errors"] == [{"field": "text", "type": "invalid", "message": body["detail"]}]
    app.state.settings.max_post_chars = 20_000
    response = client.post("/api/v1/resources/suggest", json={"text": "x" * 100_000, "lang": "fr"})
    assert response.status_code == 422 and response.json()["field"] == "text"


@pytest.mark.parametrize(("lang", "call"), [("fr", "Appeler le 0800 32 123"), ("nl", "Bel 1813"), ("en", "Call 112")])
def test_the_help_page_shows_each_number_as_a_labelled_call_button(client: TestClient, lang: str,
                                                                  call: str) -> None:
    page = client.get(f"/{lang}/help").text
    buttons = re.findall(r'<a href="(tel:[0-9]+)" class="phone-button" aria-describedby="([^"]+)">(.*?)</a>',
                         page, re.S)
    assert len(buttons) == 6
    for href, described_by, label in buttons:
        name = re.search(r'<span class="phone-name">([^<]+)', label)
        assert name and name.group(1).strip() and not name.group(1).strip().isdigit()  # the service, not the number
        assert f'id="{described_by}"' in page  # what the line is for
        assert href.removeprefix("tel:") in label.replace(" ", "")
    assert call in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]  # a plain link: no script needed


def test_standalone_links_carry_their_tap_target_class(client: TestClient) -> None:
    """The links a member taps on their own (not those inside sentences) are 44 px targets (app/static/css)."""
    assert '<p class="link-row"><a href="/fr/resources">' in client.get("/fr/resources/gradual-reduction").text
    assert '<p class="link-row"><a href="/nl/resources/house-rules">' in client.get("/nl/guidelines").text
    signup = client.get("/fr/account/signup").text
    assert re.search(r'<p class="link-row">[^<]*<a href="/fr/account/login">', signup)
    assert 'class="tour-nav"' in client.get("/nl/welcome/community").text
    css = client.get("/static/css/site.css").text
    assert ".link-row a" in css and ".tap-target" in css and ".tour-nav a" in css
    assert '.resource-body a[href^="tel:"]' in css and ".phone-button" in css
