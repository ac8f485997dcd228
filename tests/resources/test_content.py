"""The reviewed pages themselves: complete in every language, well formed, and true to their sources."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import moderation
from app.helplines import HELPLINES, OTHER_SERVICES
from app.i18n import LOCALES
from app.resources.content import SECTIONS, ContentError, library, load

# What issue 13 asks the resources to cover, by slug.
REQUIRED = {
    "benzodiazepines-and-z-drugs", "withdrawal-symptoms", "gradual-reduction", "talking-to-your-doctor",
    "ashton-manual", "sleep-without-medication", "stress-and-anxiety", "first-line-psychological-care",
    "crisis-lines", "relatives-and-friends", "for-professionals", "house-rules",
}
ALL_PAGES = [(lang, page) for lang in LOCALES for page in library().pages[lang]]
IDS = [f"{lang}-{page.slug}" for lang, page in ALL_PAGES]


def test_every_page_exists_in_every_language_in_the_same_order() -> None:
    slugs = {lang: [page.slug for page in library().pages[lang]] for lang in LOCALES}
    assert set(slugs["fr"]) == REQUIRED
    assert slugs["fr"] == slugs["nl"] == slugs["en"]


@pytest.mark.parametrize(("lang", "page"), ALL_PAGES, ids=IDS)
def test_page_front_matter(lang: str, page) -> None:  # type: ignore[no-untyped-def]
    assert page.lang == lang and page.section in SECTIONS
    assert page.last_reviewed <= dt.date.today(), "a review date in the future"
    assert 20 <= len(page.summary) <= 260
    assert page.sources and all(s.url.startswith(("https://", "http://")) for s in page.sources)
    assert "<h1" not in page.html and "<script" not in page.html


@pytest.mark.parametrize(("lang", "page"), ALL_PAGES, ids=IDS)
def test_pages_follow_the_wording_guidelines(lang: str, page) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join((page.title, page.summary, page.body_md))
    stigma = [f.match for f in moderation.check(text, lang) if f.category == "stigma"]
    assert not stigma, f"{lang}/{page.slug}: {stigma}"


@pytest.mark.parametrize("lang", LOCALES)
def test_medical_pages_send_readers_to_their_doctor_and_never_to_an_abrupt_stop(lang: str) -> None:
    doctor = {"fr": r"médecin", "nl": r"\b(huis)?arts\b", "en": r"\b(doctor|gp)\b"}[lang]
    for page in library().pages[lang]:
        if page.medical:
            assert re.search(doctor, page.body_md.lower()), page.slug
    reduction = library().page(lang, "gradual-reduction")
    assert reduction is not None
    never = {"fr": "jamais", "nl": "nooit", "en": "never"}[lang]
    assert never in reduction.title.lower()


@pytest.mark.parametrize("lang", LOCALES)
def test_crisis_page_gives_every_verified_help_line(lang: str) -> None:
    page = library().page(lang, "crisis-lines")
    assert page is not None
    for line in HELPLINES:
        assert line.number and line.number in page.body_md, f"{lang}: {line.name} {line.number}"
        assert f'href="tel:{line.number.replace(" ", "")}"' in page.html
    for service in OTHER_SERVICES:
        assert service.website and service.website.split("//")[1] in page.body_md
    # Numbers the reference could not verify are never stated.
    assert "078 15 10 20" not in page.body_md and "02 227 52 52" not in page.body_md


@pytest.mark.parametrize("lang", LOCALES)
def test_first_line_care_prices_match_the_reference(lang: str) -> None:
    page = library().page(lang, "first-line-psychological-care")
    assert page is not None
    body = page.body_md
    for amount in ("11", "4", "23"):
        assert re.search(rf"\b{amount}\b", body), amount
    assert "2,50" in body or "2.50" in body
    assert {"fr": "gratuite", "nl": "gratis", "en": "free"}[lang] in body
    assert {"fr": "Non.", "nl": "Nee.", "en": "No."}[lang] in body  # no prescription needed


@pytest.mark.parametrize("lang", LOCALES)
def test_ashton_page_links_the_manual_in_french_and_the_site_listing_translations(lang: str) -> None:
    page = library().page(lang, "ashton-manual")
    assert page is not None
    assert 'href="http://www.benzo.org.uk/freman/bzcha00.htm"' in page.html
    assert 'href="http://benzo.org.uk/index.htm"' in page.html


def test_introduction_template_in_every_language() -> None:
    for lang in LOCALES:
        template = library().composer[(lang, "introduce-yourself")]
        assert "{pseudonym}" in template.title and template.one_per_member
        assert template.body.strip() and template.hint


# ---- the loader refuses content it cannot publish ------------------------------------------

PAGE = """+++
title = "Titre"
summary = "Un résumé assez long pour la liste."
last_reviewed = 2026-01-01

[[sources]]
title = "Source"
url = "https://example.org/page"
+++
## Section

Texte.
"""


def _content(tmp_path: Path, page: str = PAGE, *, langs: tuple[str, ...] = LOCALES) -> Path:
    (tmp_path / "index.toml").write_text('[[page]]\nslug = "one"\nsection = "understanding"\n', encoding="utf-8")
    for lang in langs:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "one.md").write_text(page, encoding="utf-8")
    return tmp_path


def test_loader_accepts_a_well_formed_page(tmp_path: Path) -> None:
    lib = load(_content(tmp_path))
    assert lib.pages["nl"][0].title == "Titre" and "<h2>Section</h2>" in lib.pages["nl"][0].html


@pytest.mark.parametrize(("broken", "message"), [
    (PAGE.replace("+++\ntitle", "title", 1), "front matter"),
    (PAGE.replace('last_reviewed = 2026-01-01\n', ""), "last_reviewed"),
    (PAGE.replace('last_reviewed = 2026-01-01', 'last_reviewed = "soon"'), "last_reviewed"),
    (PAGE.replace('summary =', 'sumary ='), "unknown front matter"),
    (PAGE.replace('https://example.org/page', 'javascript:alert(1)'), "not a web address"),
    (PAGE.replace('[[sources]]\ntitle = "Source"\nurl = "https://example.org/page"\n', ""), "sources"),
    (PAGE.replace("## Section", "# Section"), "reserved for the page title"),
    (PAGE.replace("## Section", "#### Section"), "skips a level"),
])
def test_loader_refuses_broken_pages(tmp_path: Path, broken: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        load(_content(tmp_path, broken))


def test_loader_refuses_a_missing_language_and_unlisted_pages(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="missing"):
        load(_content(tmp_path, langs=("fr", "nl")))


def test_loader_refuses_unlisted_pages_and_unknown_findings(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "fr" / "stray.md").write_text(PAGE, encoding="utf-8")
    with pytest.raises(ContentError, match="not listed"):
        load(content)
    (content / "fr" / "stray.md").unlink()
    (content / "index.toml").write_text('[[page]]\nslug = "one"\nsection = "understanding"\nfindings = ["rude"]\n')
    with pytest.raises(ContentError, match="finding categories"):
        load(content)
