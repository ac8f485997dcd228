"""Engine v2.32: children kept from others who take these medicines ("shouldn't be allowed near
kids"), contempt for the emergency room's "regulars" ("les habitués", "bed-blockers", "vaste
klanten"), one's box left with someone else for good; and fewer false alarms (needing to whine to
people who get it, a past wish not to wake told with this year's garden, words to those who are in
the dark said over more than three words, "om 10u" is no "you").

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Those pill-popping dads shouldn't be allowed near kids.", "en", "stigma"),
        ("Zo'n mensen met hun Temesta zouden geen kinderen mogen hebben, die kleine lopen om 9u nog buiten.", "nl",
         "stigma"),
        ("Some people on Xanax just want a free hotel. Bed-blockers, every one of them.", "en", "stigma"),
        ("Aux urgences, les habitués du Temesta viennent jouer la crise pour repartir avec leur dose.", "fr",
         "stigma"),
        ("J'ai laissé la plaquette chez mon frère et j'y touche plus, c'était hier la dernière.", "fr",
         "cold_turkey_self"),
        ("I gave the strip to my husband and said hide it. Last one was Sunday.", "en", "cold_turkey_self"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Week 6 of my clonazepam taper, brain like soup. Just needed to whine to people who get it.", "en",
         "stigma"),
        ("Vorig jaar hoopte ik niet meer wakker te worden. Dit jaar heb ik een moestuin. 6 maanden 0 mg.", "nl",
         "crisis"),
        ("Pour ceux qui sont à Liège et ont des idées noires: le 0800 32 123 répond jour et nuit.", "fr",
         "crisis"),
        ("L'an dernier j'espérais ne pas me réveiller. Cette année j'ai un potager. 0 mg de Xanax depuis 5 mois.",
         "fr", "crisis"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
