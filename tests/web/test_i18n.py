from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.i18n import LOCALES, negotiate, quote, typeset

LOCALES_DIR = Path(__file__).resolve().parents[2] / "app" / "locales"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete(locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert not missing, f"{len(missing)} untranslated in {locale}: {missing[:10]}"


# Dutch speaks to members as a peer forum does: "je", never "u"; and one word for a pseudonym.
_FORMAL_NL = re.compile(r"\b(u|uw|uzelf|alstublieft|pseudoniem|pseudoniemen)\b", re.IGNORECASE)
RESOURCES_NL = LOCALES_DIR.parent / "resources" / "content" / "nl"


def test_dutch_uses_one_register_and_one_word() -> None:
    with (LOCALES_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    formal = []
    for message in catalog:
        if not message.id or message.id == "%(hours)s h":  # "u" is "uur" there
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        formal += [s for s in strings if _FORMAL_NL.search(s)]
    assert not formal, formal[:5]
    assert any("schuilnaam" in (m.string or "") for m in catalog if isinstance(m.string, str))
    for page in RESOURCES_NL.rglob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            # Search keywords may hold other words; a source's published title is quoted as published.
            if line.startswith(("keywords", "title = ")):
                continue
            assert not _FORMAL_NL.search(line), f"{page.name}: {line[:80]}"


def _extracted_ids() -> set[str]:
    """Every msgid in the source tree right now (not the committed .pot, which may be stale)."""
    root = LOCALES_DIR.parents[1]
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    skip = {".venv", "var", "node_modules", "__pycache__", ".git", "tests", "bench"}
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        root, method_map=method_map, options_map=options_map,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        directory_filter=lambda path: Path(path).name not in skip and not Path(path).name.startswith("."),
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_catalogs_cover_every_string_in_the_source() -> None:
    source = _extracted_ids()
    assert len(source) > 100
    for locale in LOCALES:
        with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        missing = sorted(source - ids)
        assert not missing, f"{locale}: run `make messages` and translate: {missing[:8]}"


def test_accept_language_parsing() -> None:
    assert negotiate("nl-BE,nl;q=0.9,fr;q=0.8") == "nl"
    assert negotiate("de-DE,de;q=0.9,en;q=0.5") == "en"
    assert negotiate("de") is None
    assert negotiate("fr;q=abc, nl;q=0.2") == "nl"


def test_root_redirects_by_cookie_then_accept_language(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/fr/"
    response = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9"}, follow_redirects=False)
    assert response.headers["location"] == "/nl/"
    client.get("/en/")  # visiting a language remembers it
    assert client.get("/", headers={"Accept-Language": "nl"}, follow_redirects=False).headers["location"] == "/en/"


@pytest.mark.parametrize("locale", LOCALES)
def test_html_lang_and_translated_chrome(client: TestClient, locale: str) -> None:
    html = client.get(f"/{locale}/").text
    assert f'<html lang="{locale}">' in html
    expected = {"fr": "Se connecter", "nl": "Inloggen", "en": "Log in"}[locale]
    assert expected in html


def test_language_switcher_keeps_the_page(client: TestClient) -> None:
    html = client.get("/fr/account/login").text
    assert 'href="/nl/account/login"' in html and 'href="/en/account/login"' in html


def test_unknown_language_is_404(client: TestClient) -> None:
    assert client.get("/de/").status_code == 404


def test_the_default_locale_setting_decides_when_nothing_else_does(settings, db) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app

    settings.default_locale = "nl"
    application = create_app(settings)
    application.state.db.dispose()
    application.state.db = db
    with TestClient(application) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/nl/"
        assert client.get("/", headers={"Accept-Language": "fr"}, follow_redirects=False).headers["location"] == "/fr/"
        missing = client.get("/api/v1/threads/999999")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "Deze pagina bestaat niet, of je kunt ze niet zien."


@pytest.mark.parametrize(("text", "expected"), [
    ("Suicide: 0800 32 123", "Suicide\u202f: 0800 32 123"),
    ("Vouliez-vous dire : %(s)s ?", "Vouliez-vous dire\u202f: %(s)s\u202f?"),
    ("« toxico »", "«\u202ftoxico\u202f»"),
    ("Attention ! Et ; puis", "Attention\u202f! Et\u202f; puis"),
    ("https://www.1813.be à 3:00, ?q=1", "https://www.1813.be à 3:00, ?q=1"),
])
def test_french_typography(text: str, expected: str) -> None:
    assert typeset(text, "fr") == expected


def test_dutch_and_english_use_their_own_quotes() -> None:
    assert typeset("Schrijf «verslaafde» niet", "nl") == "Schrijf “verslaafde” niet"
    assert typeset("Zelfmoordlijn: 1813", "nl") == "Zelfmoordlijn: 1813"
    assert quote("junkie", "nl") == "“junkie”" and quote("toxico", "fr") == "«\u202ftoxico\u202f»"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_string_is_typeset(locale: str) -> None:
    """Done once, when the catalogs load: no French string can wrap a colon onto its own line."""
    from app.i18n import translations

    catalog = translations(locale)._catalog  # type: ignore[attr-defined]
    texts = [t for key, value in catalog.items() if key for t in ([value] if isinstance(value, str) else [])]
    assert texts
    for text in texts:
        if locale == "fr":
            # After any character, not only a letter: "* : any letters", "<2> : up to two words" wrapped too.
            assert not re.search(r"\S [:;!?](\s|$)", text), text
            assert "« " not in text and " »" not in text, text
        else:
            assert "«" not in text and "»" not in text, text


def test_pages_use_the_typeset_catalog(client: TestClient) -> None:
    page = client.get("/fr/help").text
    assert "Besoin d'aide maintenant\u202f?" in page


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_a_choice_error_names_the_choices_without_english_words(client: TestClient, locale: str) -> None:
    # pydantic's "'fr', 'nl' or 'en'" put an English "or" in French and Dutch messages (audit2).
    response = client.post("/api/v1/accounts", headers={"Accept-Language": locale},
                           json={"pseudonym": "Quelqu_un", "password": "a sturdy passphrase 42", "locale": "de"})
    assert response.status_code == 422
    message = next(e["message"] for e in response.json()["errors"] if e["field"] == "locale")
    assert "fr, nl, en" in message and " or " not in message, message


def test_the_research_texts_members_read_say_je_and_schuilnaam() -> None:
    # The consent text (version 1) said "u" and "pseudoniem" on pages that otherwise say "je" and
    # "schuilnaam" (audit2). Published versions never change: the current one must be consistent.
    from app.research import texts

    for kind in ("consent", "terms"):
        document = texts.current(kind)
        lines = [document.titles["nl"], *(f"{s.heading} {s.text}" for s in document.sections["nl"])]
        formal = [line[:80] for line in lines if _FORMAL_NL.search(line)]
        assert not formal, (kind, formal)


# "kun" only with "je"/"jij" right after it ("kun je"); otherwise "kunt" ("jij kunt") or, with "alleen jij"
# as subject after the verb, "kan" ("Tot dan kan alleen jij het zien").
_WRONG_KUN_NL = re.compile(r"\bkun\b(?!\s+(je|jij)\b)|\b(je|jij)\s+kun\b", re.IGNORECASE)


def test_dutch_kun_agrees_with_its_subject() -> None:
    with (LOCALES_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    wrong = [s for m in catalog if m.id
             for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if _WRONG_KUN_NL.search(s)]
    assert not wrong, wrong[:5]


GROUPED = {"fr": "100\u202f000", "nl": "100.000", "en": "100,000"}


@pytest.mark.parametrize("locale", LOCALES)
def test_whole_numbers_in_messages_are_grouped_as_the_language_groups_them(locale: str) -> None:
    # The 413 for a field over 100,000 characters said "100000" in every language (outsider walk).
    from app.errors import FieldTooLong
    from app.i18n import LocalNumber, ngettext, using_locale
    from app.web.templating import environment

    with using_locale(locale):
        assert GROUPED[locale] in FieldTooLong(max=100_000).translated()
        assert GROUPED[locale] in ngettext("%(num)s result", "%(num)s results", 100_000)
        assert environment(locale).from_string(
            "{% trans count=n %}{{ count }} result{% pluralize %}{{ count }} results{% endtrans %} "
            "{{ _('at most %(max)s', max=n) }}").render(n=100_000).count(GROUPED[locale]) == 2
        # Doses keep their own form (no grouping, the language's decimal sign); a flag is no number.
        assert "1000" in FieldTooLong(max=LocalNumber(1000)).translated()
        assert "True" in FieldTooLong(max=True).translated()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_length_limit_from_the_schema_is_grouped(client: TestClient, locale: str) -> None:
    response = client.post("/api/v1/accounts", headers={"Accept-Language": locale},
                           json={"pseudonym": "Quelqu_un", "password": "x" * 3000})
    assert response.status_code == 422
    message = next(e["message"] for e in response.json()["errors"] if e["field"] == "password")
    assert {"fr": "1\u202f024", "nl": "1.024", "en": "1,024"}[locale] in message, message
