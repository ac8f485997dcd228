"""Engine v2.27: contempt as exclusion, a refill not picked up, pills poured down the sink, and a
pharmacy insider who "can arrange something".

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from moderation.personal_data import RULE_PHONE, find_personal_data
from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Contempt as exclusion from a job, a place or a family.
        ("Les gens qui vivent sous calmants n'ont rien à faire dans une salle de classe.", "fr", "stigma"),
        ("Mensen die aan hun pillen hangen horen in een instelling, niet op de werkvloer.", "nl", "stigma"),
        ("People who need pills to get through a shift don't belong in an operating theatre.", "en", "stigma"),
        # A refill not picked up; the bottle poured away.
        ("Just don't pick up the next prescription. Your body will cope.", "en", "cold_turkey_advice"),
        ("Pour the bottle down the sink tonight and be done with it.", "en", "cold_turkey_advice"),
        # A pharmacy insider.
        ("Mijn neef werkt in een apotheek en zegt dat hij wel iets kan regelen.", "nl", "sourcing"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # The poster about themselves, and a question.
        ("Je n'ai rien à faire dans une salle de classe tant que je prends ça, je le sais.", "fr", "stigma"),
        ("Horen mensen die Temesta nemen niet thuis achter het stuur van een bus?", "nl", "stigma"),
        # Someone else saying it, reported with disapproval.
        ("My boss said people like that don't belong on the team, and it hurt.", "en", "stigma"),
        # Pouring something else down the sink.
        ("Poured the energy drinks down the sink; the taper goes on slowly with my GP.", "en",
         "cold_turkey_advice"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


@pytest.mark.parametrize(
    "text",
    [
        "zero quatre septante-huit douze trente-quatre cinquante-six",  # no accent on zero
        "zéro-quatre-septante-huit-douze-trente-quatre-cinquante-six",  # dashes between words
        "zéro.quatre.septante-huit.douze.trente-quatre.cinquante-six",  # dots
        "zéro quatre septante\u2011huit douze trente-quatre cinquante-six",  # a non-breaking hyphen
        "zéro quatre septante-huit douze trente-quatre cinquante-six, une bise",  # a number word after it
        "0 quatre 78 12 34 56",  # digits and words mixed
        "nul vier acht en zeventig twaalf vierendertig zesenvijftig",  # "acht en zeventig"
        "nought four seven eight one two three four five six",
    ],
)
def test_phone_numbers_spelled_to_slip_past(text: str) -> None:
    assert RULE_PHONE in {f.rule for f in find_personal_data(text)}


@pytest.mark.parametrize(
    "text",
    [
        "j'en suis à 0 mg depuis deux mois et trois semaines",
        "zéro huit zéro zéro trente-deux cent vingt-trois",  # a help line (0800 32 123)
        "0 5 10 15 20 25 mg, mon schéma",
    ],
)
def test_counts_and_help_lines_are_no_phone(text: str) -> None:
    assert RULE_PHONE not in {f.rule for f in find_personal_data(text)}
