"""Which pages the forum suggests, and which belong to a category."""

from __future__ import annotations

import moderation
from app.resources import service


def _slugs(pages: list) -> list[str]:  # type: ignore[type-arg]
    return [page.slug for page in pages]


def _suggest(text: str, lang: str = "fr", ui: str | None = None) -> list[str]:
    categories = {f.category for f in moderation.check(text, lang)}
    return _slugs(service.suggest(lang=ui or lang, text=text, text_lang=lang, categories=categories))


def test_findings_come_first() -> None:
    assert _suggest("Arrête tout d'un coup, c'est le seul moyen, crois-moi.")[0] == "gradual-reduction"
    assert _suggest("Je n'en peux plus, je veux en finir.")[0] == "crisis-lines"
    assert _suggest("Ik wil er een einde aan maken.", "nl")[0] == "crisis-lines"
    assert "house-rules" in _suggest("Je vends mes comprimés de Xanax, envoie-moi un message privé.")


def test_words_point_to_pages_in_the_readers_language() -> None:
    assert _suggest("Je dors très mal, trois nuits blanches cette semaine.") == ["sleep-without-medication"]
    # Equal counts keep the listing order.
    assert _suggest("Ik slaap slecht sinds ik afbouw", "nl") == ["gradual-reduction", "sleep-without-medication"]
    assert _suggest("I stopped cold turkey last week and feel awful", "en") == ["gradual-reduction"]
    # A Dutch post read by a French-speaking member: Dutch keywords, French pages.
    pages = service.suggest(lang="fr", text="Veel hartkloppingen en duizeligheid", text_lang="nl")
    assert _slugs(pages) == ["withdrawal-symptoms"] and pages[0].lang == "fr"


def test_accents_and_case_do_not_matter() -> None:
    assert _suggest("SYMPTOMES de SEVRAGE, vertiges")[0] == "withdrawal-symptoms"
    assert _suggest("symptômes de sevrage, vertiges")[0] == "withdrawal-symptoms"


def test_the_page_with_most_matching_words_wins_and_three_at_most() -> None:
    text = ("Mon médecin veut que je diminue, mais je dors mal, j'ai des vertiges et des palpitations, "
            "de l'angoisse, et je cherche un psychologue.")
    suggested = _suggest(text)
    assert suggested == ["withdrawal-symptoms", "talking-to-your-doctor", "sleep-without-medication"]


def test_nothing_to_suggest_for_ordinary_words() -> None:
    assert _suggest("Merci pour ton message, bonne journée à toi aussi !") == []
    assert _suggest("Hello everyone, I'm new here. I've taken zolpidem for 6 years.", "en") == []
    assert service.suggest(lang="fr", text="", text_lang="fr") == []


def test_pages_for_a_category_and_by_slugs() -> None:
    assert "sleep-without-medication" in _slugs(service.pages_for_category("nl", "sleep-stress-anxiety"))
    assert _slugs(service.pages_for_category("fr", "relatives-and-friends"))[0] == "relatives-and-friends"
    assert service.pages_for_category("fr", "off-topic") == []
    assert _slugs(service.pages_by_slugs("en", ["crisis-lines", "nope", "crisis-lines", " house-rules"])) == [
        "crisis-lines", "house-rules"]


def test_sections_keep_help_first() -> None:
    sections = service.list_sections("fr")
    assert sections[0].id == "help" and _slugs(list(sections[0].pages)) == ["crisis-lines"]
    assert sum(len(s.pages) for s in sections) == len(service.list_pages("fr"))


def test_composer_template_fills_the_pseudonym() -> None:
    template = service.composer_template("introduce-yourself", "nl")
    assert template is not None
    filled = service.fill_template(template, pseudonym="Zonnebloem")
    assert filled["title"] == "Hallo, ik ben Zonnebloem" and filled["body"] == template.body
    assert service.composer_template("tapering-now", "nl") is None
