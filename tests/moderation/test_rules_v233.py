"""Engine v2.33: a Dutch "zonder" after a word no longer denies it ("dag 3 zonder", "stoppen
zonder afbouw"); medication brought into a prison or past a visit, a prescription's date changed,
a doctor who "doesn't ask too many questions", a strip taken from a relative's box, supply from a
ward; gatekeepers who will not hire or serve people on these medicines; and fewer false alarms (a
bailiff's letter, pills counted to last until the next appointment, "c'était une façon de parler"
said a sentence later, a husband who died, someone else's advice after a colon, a stop that was
only tempting, a warning next to a thrown box, "better with someone than in the bin").

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Dag 2 zonder lorazepam. Van 2 mg naar niks, ik ga nie terug.", "nl", "cold_turkey_self"),
        ("Hoe krijg ik een paar Xanax binnen bij mijn broer tijdens het bezoek? Hij zit in Brugge.", "nl",
         "sourcing"),
        ("Quelqu'un sait comment faire passer des cachets au parloir à Lantin ?", "fr", "sourcing"),
        ("If I alter the date on my old script for diazepam, will the pharmacist notice?", "en", "sourcing"),
        ("Kent iemand een dokter in Gent die niet te veel vragen stelt voor Stilnoct? Stuur me een bericht.", "nl",
         "sourcing"),
        ("Ik neem af en toe van haar strip Temesta, ze merkt het niet.", "nl", "sourcing"),
        ("Mijn nonkel is apothekersassistent, hij kan wel iets meebrengen van het werk meenemen voor mij.", "nl",
         "sourcing"),
        ("Those people on benzos, I do not hire them anymore. Too much trouble.", "en", "stigma"),
        ("Ce matin j'ai vidé le tiroir dans les toilettes, tout, plus un seul Temesta.", "fr", "cold_turkey_self"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("J'ai reçu un courrier du huissier pour ma famille, c'est sûrement une arnaque.", "fr", "crisis"),
        ("J'ai compté: 30 Seresta, avec mon schéma ça fait assez jusqu'au rendez-vous du 12.", "fr", "crisis"),
        ("J'ai dit à ma psy 'je préfère mourir que revivre cet hiver', elle a bien écouté. C'était une façon "
         "de parler, ça va mieux.", "fr", "crisis"),
        ("Mon père est mort l'an dernier et je veux retrouver son médecin pour le remercier.", "fr", "crisis"),
        ("Mijn tante zegt: gooi die pillen weg en bid. Ik doe het niet, ik bouw af met de dokter.", "nl",
         "cold_turkey_advice"),
        ("I was about to stop my zolpidem all at once, then my GP set up a slow plan instead.", "en",
         "cold_turkey_self"),
        ("Reading about people flushing their pills in the toilet worries me. Please don't.", "en",
         "cold_turkey_advice"),
        ("Beter bij de apotheek dan in de vuilbak, breng je overschot terug.", "nl", "cold_turkey_self"),
        ("Swap the wine for chamomile and kratom? No, talk to your doctor first.", "en", "sourcing"),
        ("Hij is gestopt met zijn Xanax zonder dokter, ik maak me zorgen.", "nl", "sourcing"),
        ("Ik heb zin om alles door te spoelen, maar ik doe het niet. Morgen bel ik de dokter.", "nl",
         "cold_turkey_self"),
    ],
)
def test_fewer_false_alarms(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
