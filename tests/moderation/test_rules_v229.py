"""Engine v2.29: pills taken from a partner's or a relative's box, doctor shopping told in two
sentences, a relative's pharmacy that "does not look too closely", another person's identity card
at the pharmacy, not waking said to be no loss; and fewer false alarms (a past crisis with its way
out, "all day", savings, "nothing to do with pills", a bank account in someone's name).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Someone else's box.
        ("Thinking of quietly taking a few from his box every week, he won't notice.", "en", "sourcing"),
        ("Ma belle-sœur a tout un stock de Temesta, je vais lui en piquer quelques-uns, elle verra rien.", "fr",
         "sourcing"),
        ("Mijn vader heeft een schuif vol Loramet. Ik denk niet dat hij het gaat missen als ik er een paar meeneem.",
         "nl", "sourcing"),
        # Several doctors, told in two sentences; a relative's pharmacy; another person's card.
        ("Deux médecins, deux pharmacies, aucun ne sait pour l'autre. Comme ça j'ai toujours mon Xanax.", "fr",
         "sourcing"),
        ("Mijn tante heeft een apotheek in Gent en ze kijkt niet zo nauw.", "nl", "sourcing"),
        ("Als ik met zijn kaart naar de apotheek ga voor zijn Stilnoct, vragen ze niks.", "nl", "sourcing"),
        # Not waking said to be no loss.
        ("Franchement si je me réveille pas demain ce serait pas une mauvaise nouvelle.", "fr", "crisis"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # "All day" is no "all of them"; savings are no stockpile.
        ("My neighbour says people who pop sleeping pills all day are lazy.", "en", "crisis"),
        ("Le CPAS rembourse mes médicaments, ça m'économise 40 € par mois.", "fr", "crisis"),
        # A past crisis told with its way out.
        ("Last winter I used to wish I wouldn't wake up. 10 months off zopiclone now. Keep going.", "en", "crisis"),
        ("Two years ago I gave my guitar away and wrote goodbye letters. My girlfriend found them in time.",
         "en", "crisis"),
        # Classifieds that say they are no medication; a bank account in someone's name.
        ("Ik verkoop mijn oude fiets, iemand interesse in Gent? (niks met pillen te maken)", "nl", "sourcing"),
        ("Rekeningnummer BE43 0689 9999 9501 op naam van mijn broer, voor de apotheekrekening.", "nl", "sourcing"),
        # Asking for an explanation; a letter in a letterbox.
        ("Kan iemand uitleggen waarom ik om 4u wakker word? Zit op 0,5 Loramet.", "nl", "sourcing"),
        ("J'ai mis une carte dans sa boîte aux lettres pour son anniversaire, avec mes Temesta je dors mieux.",
         "fr", "sourcing"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
