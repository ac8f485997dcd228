"""Engine v2.34: a relative's pills hidden or taken away to make them stop, "done in a week" with
the steps waved away, advice to make others stop at once, "stop" said with scorn; a stop the doctor
is not told of; one's own pills handed to a friend; a strip slipped into one's pocket at a family
meal; someone's pills taken without asking; a nurse who brings them home from the ward; a date set
next to an ending; a negation that no longer reaches past "and now I ..."; and fewer false alarms
(a doctor who cut the poster's pills at once, a wish to disappear under the duvet, a goodbye note
from a New Year long past, a book's "warm bad", "400 days off" told as recovery, people who resell
called names, "I want to be clean" said of oneself).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Votre fille revient pour les vacances ? Cachez ses boîtes et ne les lui rendez pas. Deux semaines "
         "difficiles et elle n'y pensera plus.", "fr", "cold_turkey_advice"),
        ("Ge moet uw zoon zijn pillen afpakken als hij thuiskomt. Een week afzien en het is gedaan.", "nl",
         "cold_turkey_advice"),
        ("Pas de paliers, pas de tableau. Une semaine au lit et c'est fini, crois-moi.", "fr", "cold_turkey_advice"),
        ("Laat ze gewoon in één keer stoppen, dat gepamper helpt niemand.", "nl", "cold_turkey_advice"),
        ("Taper for two years? Drop it and man up.", "en", "cold_turkey_advice"),
        ("Last dose was yesterday evening. Not telling my doctor, he would only argue.", "en", "cold_turkey_self"),
        ("Mijn collega zit zonder Xanax tot maandag, ik geef hem wat van de mijne.", "nl", "sourcing"),
        ("Chez ma tante au repas de dimanche, j'ai glissé une plaquette de Temesta dans mon sac à main. "
         "Elle remarque rien.", "fr", "sourcing"),
        ("J'ai pris les Stilnox de mon coloc sans lui dire, je tenais plus.", "fr", "sourcing"),
        ("Ask for Karin, she's a nurse at the clinic and brings them home from the ward.", "en", "sourcing"),
        ("Ik begrijp die man uit het nieuws die er een eind aan maakte. Ik heb zelf een datum gekozen.", "nl",
         "crisis"),
        ("Drie nachten zonder slaap en nu sta ik op het dak van de flat.", "nl", "crisis"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Mon psychiatre m'a coupé mon Rivotril du jour au lendemain, sans un mot. Je cherche un autre médecin.",
         "fr", "cold_turkey_advice"),
        ("Some winter evenings I just want to disappear under the duvet until spring. Not in a scary way.",
         "en", "crisis"),
        ("Soms wil ik gewoon verdwijnen naar een eiland zonder telefoon. Haha. Ik bouw braaf verder af.", "nl",
         "crisis"),
        ("Last Christmas I wrote a goodbye note. This Christmas I'm writing cards. Still here.", "en", "crisis"),
        ("Mijn schoonzus gaf me een boek over slapen. Hoofdstuk 1: 'neem gewoon een warm bad'.", "nl",
         "cold_turkey_advice"),
        ("I call myself a recovering sleeping-pill person. 500 days off zolpidem today.", "en", "cold_turkey_self"),
        ("Ceux qui revendent leurs cachets devant la gare, c'est des déchets. Faut les enfermer et jeter la clé.",
         "fr", "sourcing"),
        ("Ceux qui revendent leurs cachets devant la gare, c'est des déchets. Faut les enfermer et jeter la clé.",
         "fr", "cold_turkey_advice"),
        ("Je voulais être clean pour l'anniversaire de ma fille, mon médecin dit qu'il faut plus de temps.", "fr",
         "stigma"),
        ("Depuis le décès de mon mari je prends du Seresta, mon médecin veut qu'on diminue doucement.", "fr",
         "sourcing"),
        ("My dad swapped his Valium for a couple of whiskies at night. I'm worried about him.", "en", "sourcing"),
    ],
)
def test_false_alarms_gone(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


def test_people_who_resell_called_names_is_stigma() -> None:
    text = "Ceux qui traînent à la gare à revendre leurs cachets, c'est des déchets."
    assert "stigma" in labels(text, "fr")


def test_a_negation_still_reaches_a_plain_and() -> None:
    # "and" followed by an object, not a new subject: the negation still covers it.
    assert "cold_turkey_advice" not in labels("Ne jetez pas et ne balancez pas vos cachets, rapportez-les.", "fr")
