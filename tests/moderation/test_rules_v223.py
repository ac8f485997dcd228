"""Engine v2.23: a crisis told as over, words addressed to others in the dark, and a negation's
reach stopping at its clause.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # The past time is in the sentence before the crisis words; the way out is told after.
        ("Il y a six ans j'étais à l'hôpital après une tentative. Je voulais mourir.\n"
         "Aujourd'hui je marche tous les jours et je n'ai plus pris de Temesta depuis 2019. On en sort.", "fr"),
        ("Acht jaar geleden lag ik op intensieve. Ik wou dood.\nNu werk ik weer. Ge raakt eruit, echt.", "nl"),
        ("Five years ago I ended up in A&E. I wanted to die back then.\n"
         "I haven't taken a benzo since 2020. It did for me, it can for you.", "en"),
        # Addressed to others, with a help line.
        ("Pour ceux qui ont des idées noires ce soir : le 0800 32 123 répond jour et nuit.", "fr"),
        ("Voor wie vannacht aan zelfmoord denkt: bel 1813, gratis en anoniem.", "nl"),
        ("For anyone having suicidal thoughts tonight: the lines are open all night.", "en"),
    ],
)
def test_crisis_told_as_over_or_to_others(text: str, lang: str) -> None:
    assert "crisis" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # A crisis now, whatever the sentence opens with.
        ("Pour ceux qui veulent savoir, je veux mourir ce soir.", "fr"),
        ("For anyone who cares: I want to die tonight.", "en"),
        # A negation does not reach over "and", "en" or a comma.
        ("Ik ben een jaar zonder werk en ik wil dood.", "nl"),
        ("No job, no friends, I want to die.", "en"),
        # A past crisis with no way out told: kept.
        ("Il y a un an j'ai fait une tentative. Je veux mourir encore, ce soir.", "fr"),
    ],
)
def test_crisis_kept(text: str, lang: str) -> None:
    assert "crisis" in labels(text, lang)


def test_negation_still_applies_in_its_clause() -> None:
    assert "crisis" not in labels("I don't want to die, I just want to sleep.", "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Cold turkey is the only honest way, trust me.", "en"),
        ("Arrêter d'un coup c'est la seule façon, crois-moi.", "fr"),
        # A drink in the pill's place.
        ("Swap the pill for a good glass of Burgundy at bedtime, you'll be sorted by Friday.", "en"),
        ("Un petit verre de péket à la place du cachet ce soir, et au lit.", "fr"),
    ],
)
def test_abrupt_stop_advice(text: str, lang: str) -> None:
    assert {"cold_turkey_advice", "cold_turkey_self"} & labels(text, lang)


def test_reported_claim_refuted_is_no_advice() -> None:
    text = "Some say cold turkey is the only way. It is not: seizures are real."
    assert "cold_turkey_advice" not in labels(text, "en")


def test_a_drink_swapped_for_the_pill_is_no_trade() -> None:
    assert "sourcing" not in labels("Swap the pill for a good glass of Burgundy at bedtime.", "en")
