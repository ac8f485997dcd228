"""Engine v2.22: medication handed to or taken from people close to the poster; crisis and
cold-turkey words that the same post takes back.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Handed to a named person.
        ("Hier j'ai donné mes Lysanxia à ma voisine, elle ne dormait plus.", "fr"),
        ("Ik heb gisteren mijn Temesta aan de buurman gegeven, hij zat zonder.", "nl"),
        ("Gave my spare zopiclone to a colleague last week, she was desperate.", "en"),
        # Someone else's medication, taken.
        ("Je pique les Xanax de ma mère depuis un mois, elle ne compte pas.", "fr"),
        ("Ik heb stiekem de Stilnoct van mijn schoonmoeder geleend.", "nl"),
        ("I've been nicking my flatmate's diazepam when mine runs out.", "en"),
    ],
)
def test_medication_between_relatives_is_sourcing(text: str, lang: str) -> None:
    assert "sourcing" in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Given away to be kept out of reach: no deal.
        ("J'ai donné ma boîte de Temesta à ma sœur pour ne plus la voir.", "fr"),
        ("Ik heb het doosje Xanax aan mijn zus gegeven zodat ik het niet meer zie liggen.", "nl"),
        ("Gave my Valium to my brother to hold onto, I don't trust myself.", "en"),
        # A relative's medication talked about, not taken.
        ("My dad's lorazepam worries me, he takes three a night.", "en"),
        # Belongings, not medication.
        ("Ik heb mijn laptop aan mijn neef gegeven, die had er een nodig.", "nl"),
    ],
)
def test_no_sourcing(text: str, lang: str) -> None:
    assert "sourcing" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Found this forum after typing 'want to die' into a search bar, not literally, just exhausted.", "en"),
        ("J'ai écrit « je veux mourir » dans mon journal, pas au sens propre, juste épuisée.", "fr"),
        ("Sinterklaas brought the kids chocolate letters and I cried, happy tears.", "en"),
    ],
)
def test_crisis_words_taken_back(text: str, lang: str) -> None:
    assert "crisis" not in labels(text, lang)


def test_crisis_kept_when_meant() -> None:
    assert "crisis" in labels("I want to die. I mean it literally. The pills are here.", "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Au boulot on voit souvent des gens qui ont stoppé net. Ne faites pas ça.", "fr"),
        ("Op de afdeling zien we mensen die ineens gestopt zijn. Doe dat niet.", "nl"),
        ("We admit people who stopped suddenly every month. Whatever you do, taper.", "en"),
    ],
)
def test_abrupt_stop_warned_against_next_sentence(text: str, lang: str) -> None:
    assert not {"cold_turkey_advice", "cold_turkey_self"} & labels(text, lang)


def test_abrupt_stop_advice_kept() -> None:
    assert "cold_turkey_advice" in labels("Arrête tout d'un coup, c'est le mieux, trois jours et c'est fini.", "fr")
