"""Engine v2.24: doctor shopping, pills pocketed, contempt for parents, an alarm switched off for
good, affairs put in order "just in case", and phone numbers written out in words.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from moderation.personal_data import RULE_NN, RULE_PHONE, find_personal_data
from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Several doctors, each writing a prescription.
        ("Je tourne entre deux médecins différents, comme ça chacun me fait sa prescription de Xanax.", "fr",
         "sourcing"),
        ("Ik ga bij drie verschillende huisartsen langs voor mijn voorschrift Temesta, niemand die het merkt.",
         "nl", "sourcing"),
        ("I get my zolpidem scripts from two different GPs, one in Leuven and one in Brussels.", "en", "sourcing"),
        # Someone else's pills slipped into the poster's pocket.
        ("Ma grand-mère reçoit un Stilnoct chaque soir. Elle dort déjà. Je les empoche pour moi.", "fr",
         "sourcing"),
        ("Mijn schoonmoeder krijgt elke avond haar Loramet. Ze vergeet ze vaak. Ik steek ze in mijn zak.", "nl",
         "sourcing"),
        # Handed to the guy in the next bed.
        ("J'ai donné mes deux derniers Temesta au mec du lit d'à côté.", "fr", "sourcing"),
        ("I gave my last lorazepam to the guy in the next bunk.", "en", "sourcing"),
        # Contempt for parents who take medication.
        ("Ces mères sous Xanax, on devrait leur retirer les gosses.", "fr", "stigma"),
        ("Die ouders op hun slaappillen zouden hun kinderen moeten kwijtraken.", "nl", "stigma"),
        ("Parents on benzos? Social services should be taking their kids away.", "en", "stigma"),
        ("Les gens qui prennent ça depuis des années, ils ont juste pas de volonté.", "fr", "stigma"),
        # The alarm switched off for good; passwords written down just in case.
        ("Ik heb mijn wekker uitgezet. Voorgoed, hoop ik.", "nl", "crisis"),
        ("J'ai noté tous mes mots de passe pour ma sœur. Au cas où.", "fr", "crisis"),
        # Advice with the doctor told only afterwards; tapering dismissed with "the faster the better".
        ("Throw them out tonight and tell your doctor afterwards.", "en", "cold_turkey"),
        ("Ik ben van 2 Temesta naar nul gegaan in vijf dagen, hoe sneller hoe beter.", "nl", "cold_turkey"),
        ("My herbalist had me swap my diazepam for kava overnight. Do it.", "en", "cold_turkey"),
    ],
)
def test_new_frames_find(text: str, lang: str, label: str) -> None:
    found = labels(text, lang)
    if label == "cold_turkey":
        assert found & {"cold_turkey_advice", "cold_turkey_self"}
    else:
        assert label in found


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Jette is a Brussels municipality, not "throw".
        ("Mon généraliste à Jette m'a fait un schéma de diminution pour le Xanax.", "fr", "cold_turkey_advice"),
        # A relative's doctors: a worry.
        ("Mijn moeder krijgt haar pillen van drie verschillende dokters. Hoe spreek ik haar aan?", "nl",
         "sourcing"),
        # A wish given up.
        ("Wanted to bin the whole box last night. Didn't. Rang my GP this morning instead.", "en",
         "cold_turkey_self"),
        ("'k Heb gisteren bijna alles weggegooid, maar 'k heb het niet gedaan.", "nl", "cold_turkey_self"),
        # Pills brought to the pharmacy; a therapist asked for; an offer to talk.
        ("De doosjes Seresta van mijn overleden vader naar de apotheek gebracht.", "nl", "sourcing"),
        ("Does anyone know a therapist in Namur who knows about benzos?", "en", "sourcing"),
        ("Si quelqu'un a besoin de parler de la fin du Xanax, je suis là.", "fr", "sourcing"),
        # "Refuses to write anything longer than a week" is the opposite of an easy doctor.
        ("My GP refuses to write anything longer than a week of diazepam at a time.", "en", "sourcing"),
        # A recovery told: the death wish is in the past.
        ("In 2019 I wanted to die in withdrawal. Now I work again. It passes.", "en", "crisis"),
        # A member's own word for themselves.
        ("Former pillhead here, my own word for myself. Ask me about the last milligrams.", "en", "stigma"),
        # "clean" in English is no Dutch label.
        ("Pray and rest, in a few weeks the body is clean again.", "en", "stigma"),
        # Quitting the alarm clock for a holiday.
        ("Wekker uitgezet voor twee weken, we vertrekken op reis naar Spanje!", "nl", "crisis"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


@pytest.mark.parametrize(
    "text",
    [
        "mon numéro c'est zéro quatre septante-huit trente-deux quarante-cinq dix-neuf, appelle-moi",
        "bel me: nul vier negen vijf twaalf vierendertig zesenvijftig",
        "text me on oh four nine five one two three four five six",
    ],
)
def test_phone_numbers_written_out_in_words(text: str) -> None:
    assert RULE_PHONE in {f.rule for f in find_personal_data(text)}


@pytest.mark.parametrize(
    "text",
    [
        "zéro comprimé depuis deux mois et trois semaines et un jour",
        "nul vier twee, dat waren mijn doses per week",
        # A help line written out is a help line.
        "bel de zelfmoordlijn: nul acht nul nul drie twee een twee drie",
    ],
)
def test_number_words_that_are_no_private_phone(text: str) -> None:
    assert RULE_PHONE not in {f.rule for f in find_personal_data(text)}


def test_national_number_named_is_shown_even_with_wrong_check_digits() -> None:
    named = "Mijn rijksregisternummer staat op het voorschrift: 85.07.14-233.61, is dat normaal?"
    assert RULE_NN in {f.rule for f in find_personal_data(named)}
    # The same digits with no word naming them and failing the check: a code, not a national number.
    assert RULE_NN not in {f.rule for f in find_personal_data("Referentie 85.07.14-233.61 voor de terugbetaling")}
