"""Engine v2.35: a pet or belongings left with someone beside an apology, a train or a rope named as
the means, pills saved "enough for a horse" in West Flemish, a goodbye text and a location turned
off; supply from a pharmaceutical wholesaler, a swap offered for "leftovers" in a region; advice to
bin the box in West Flemish or in a second person's "tu jettes ta boîte"; and fewer false alarms (a
habit of the past told as recovery, dying of embarrassment, a week under the duvet, reassurance
right after dark words, a last post "in a good way", pills counted for the next taper step, a
shelter's advice to keep one's pills on oneself, a strip emptied on the table to count).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Mon fils m'a écrit cette nuit : « pardon pour tout, occupe toi de mon chien ». Il ne répond plus.", "fr",
         "crisis"),
        ("J'ai envie de me jeter sous un train ce soir, honnêtement.", "fr", "crisis"),
        ("'k Ee myn pillen ol opgespoard, genoeg voe ne peird. Morgen ist gedoan.", "nl", "crisis"),
        ("My brother texted 'tell the kids I love them' and turned his location off. He has his Xanax with him.",
         "en", "crisis"),
        ("Mijn nonkel werkt bij een farmaceutische groothandel, hij kan wel iets meebrengen voor mij.", "nl",
         "sourcing"),
        ("Iemand uit de regio Brugge die 'overschot' heeft? Ik kan ruilen tegen tabak.", "nl", "sourcing"),
        ("Toi pareil : tu jettes ta boîte ce soir et tu serres les dents, trois jours et c'est passé.", "fr",
         "cold_turkey_advice"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("I used to pray not to wake up, every night. That was 2019. It gets better, I promise.", "en", "crisis"),
        ("I want to die of embarrassment, I fell asleep in the meeting.", "en", "crisis"),
        ("J'ai envie de disparaître sous ma couette pendant une semaine, rien de grave.", "fr", "crisis"),
        ("Des idées noires en diminuant ? Pas envie de me faire du mal hein, rassurez-vous.", "fr", "crisis"),
        ("I've been counting what's left: 28 tablets, exactly four weeks at my current step.", "en", "crisis"),
        ("Pour ceux qui prennent leur somnifère à heure fixe, pensez à le garder sur vous.", "fr", "crisis"),
        ("J'ai vidé la plaquette de Temesta sur la table pour compter ce qui reste.", "fr", "cold_turkey_advice"),
    ],
)
def test_false_alarms_gone(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
