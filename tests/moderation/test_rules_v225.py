"""Engine v2.25: an overdose told as taken now, a count of pills asked about as "enough", the trip
named as an excuse, lost property and people looked for, contempt for mothers, and warnings that
close a post.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # An overdose told as taken now.
        ("still up. took more than i should have tonight, on purpose. nobody knows", "en", "crisis"),
        ("J'ai avalé une poignée de Temesta avec du rosé il y a une heure.", "fr", "crisis"),
        ("Heb net de hele strip Loramet genomen met een fles wijn.", "nl", "crisis"),
        # A count asked about as enough.
        ("Est-ce que 40 Stilnoct avec une bouteille de vin c'est assez ? Je suis sérieuse.", "fr", "crisis"),
        # The trip named as the excuse for a big supply.
        ("Ik zeg tegen mijn dokter dat ik drie maanden naar Thailand ga, dan krijg ik een grote voorraad mee.",
         "nl", "sourcing"),
        # A box said to be lost in the wash, told to the locum.
        ("Told the locum my zopiclone went through the wash, so I got a second box.", "en", "sourcing"),
        # Contempt for mothers.
        ("Ces mères qui se gavent de Xanax, c'est pas des vraies mères.", "fr", "stigma"),
        ("Die moeders met hun pillen, dat zijn geen echte moeders.", "nl", "stigma"),
        ("Some of you don't deserve the kids you've got.", "en", "stigma"),
        # Stopping told in dialect.
        ("Vanaf vandoage neem 'k niks nie meer van die Temesta, 't es gedoan.", "nl", "cold_turkey_self"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # A double dose by mistake; a dose asked about for sleep.
        ("I took the whole strip by mistake this morning, thought it was my vitamins. Called the poison centre.",
         "en", "crisis"),
        ("Is 7,5 mg zopiclone genoeg om te slapen op een nachtvlucht?", "nl", "crisis"),
        # Lost property and a person looked for.
        ("Heeft iemand mijn pillendoosje gevonden op tram 4? Bel 0471 22 33 44 aub.", "nl", "sourcing"),
        ("Looking for my aunt who struggled with Valium in the 90s, she lived in Liège. Call 0468 55 44 33.",
         "en", "sourcing"),
        # A warning that closes the post.
        ("Ma fille a trouvé un site qui vend du Xanax sans ordonnance. Je ne commande rien, je voulais "
         "prévenir. Soyez prudentes.", "fr", "sourcing"),
        # Contempt, not advice.
        ("Les mecs comme mon ex qui se bourrent de Xanax et de bière au lieu de s'occuper de leurs gosses, "
         "c'est des loques.", "fr", "cold_turkey_advice"),
        # Fully tapered: no abrupt stop.
        ("Vandaag ben ik volledig afgebouwd van de Temesta, na twee jaar.", "nl", "cold_turkey_self"),
        # A member's own past.
        ("J'ai été une vraie camée au Lexomil, je le dis sans honte. Aujourd'hui je suis libre.", "fr",
         "stigma"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
