"""Engine v2.6–v2.11: the rule revisions made after blind sets O4–O9 and an outside tester.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``) unless a test says otherwise: the learned layer is tested in test_model.py.
"""

from __future__ import annotations

import pytest

import moderation
from moderation.corpus import finding_label


def labels(text: str, lang: str, *, use_model: bool = False) -> set[str]:
    return {finding_label(f.category, f.about) for f in moderation.check(text, lang, use_model=use_model)}


# --------------------------------------------------------------- hard negatives ---

@pytest.mark.parametrize(
    ("text", "lang", "absent"),
    [
        # Warnings against buying, in the imperative.
        ("Arrêtez d'acheter vos somnifères sur internet, ce sont des contrefaçons.", "fr", "sourcing"),
        ("Koop toch niks online zonder voorschrift, er zit van alles in die pillen.", "nl", "sourcing"),
        ("Ne commandez jamais de Xanax en ligne, un ami a fini aux urgences.", "fr", "sourcing"),
        # A doctor stopped the prescription: the poster asks for help, nobody advises an abrupt stop.
        ("My GP just stopped my prescription, no plan at all. What can I do?", "en", "cold_turkey_advice"),
        ("Mijn huisarts heeft mijn voorschrift stopgezet, maar hij maakt wel een afbouwschema.", "nl", "crisis"),
        # A stranger's words retold, or a recovery told with its time.
        ("Au groupe de parole, une dame a dit 'j'ai pensé à mourir tous les jours cet hiver-là'. Elle va mieux.",
         "fr", "crisis"),
        ("Twee jaar geleden stond ik op de rand. Nu ben ik acht maanden vrij van lorazepam.", "nl", "crisis"),
        ("Three years ago I tried to end things. It really does get better, I promise.", "en", "crisis"),
        # Clearing out a flat for a charity shop is no farewell.
        ("J'ai donné trois sacs de vêtements à la Croix-Rouge, grand tri d'automne !", "fr", "crisis"),
        ("Spullen weggegeven aan de kringwinkel, mijn kot voelt zoveel lichter.", "nl", "crisis"),
        # "Cutting myself off" is about the pills, not self-harm.
        ("I'm cutting myself off the zolpidem slowly, my GP set up the steps.", "en", "crisis"),
        # Expired pills thrown away, not the current prescription.
        ("J'ai jeté une vieille plaquette de Stilnoct périmée, ma boîte actuelle je la diminue avec mon médecin.",
         "fr", "cold_turkey_advice"),
        # A member's own "clean" count is a self-description, never lectured.
        ("Negen maanden clean van de Xanax vandaag!", "nl", "stigma"),
        ("I'm five months clean from zopiclone and proud of it.", "en", "stigma"),
        # A label that is someone else's word, said after it.
        ("Des pillenslikkers, comme dit mon oncle. Ça fait mal à entendre.", "fr", "stigma"),
        # A benzo swapped for a remedy is bad advice, not a trade between people.
        ("Just swap the clonazepam for valerian tea and a glass of wine, done in a week.", "en", "sourcing"),
        # "Anders kom je er nooit vanaf" foretells, it does not warn.
        ("Stop nooit in één keer, bouw af met je huisarts.", "nl", "cold_turkey_advice"),
    ],
)
def test_hard_negatives(text: str, lang: str, absent: str) -> None:
    assert absent not in labels(text, lang)


# --------------------------------------------------------------------- positives ---

@pytest.mark.parametrize(
    ("text", "lang", "present"),
    [
        ("Won't be a problem for anyone much longer. Thanks for the chats.", "en", "crisis"),
        ("I don't plan on being around for my birthday this year.", "en", "crisis"),
        ("Joyeux Noël à tous. Moi je verrai pas le printemps et c'est mieux ainsi.", "fr", "crisis"),
        ("Je vais plus poser de problème à personne, c'est réglé.", "fr", "crisis"),
        ("Ge zult ni lang meer last van mij hebben, kheb alles opgeruimd.", "nl", "crisis"),
        # "tout prendre d'un coup": the parts share no word once "d'un coup" takes the place of "tout".
        ("Ce soir je vais tout prendre d'un coup et ce sera fini.", "fr", "crisis"),
        # Advice whose sentence foretells "never" is still advice.
        ("Gewoon in één keer stoppen en spoel ze door, anders kom je er nooit vanaf.", "nl", "cold_turkey_advice"),
        ("Stop er gewoon mee en gooi ze weg, anders raak je er nooit vanaf.", "nl", "cold_turkey_advice"),
        # Spare pills "still lying here", with a contact.
        ("Kheb hier nog een stuk of 30 lorazepam liggen, stuur maar een pb als ge zit te springen.", "nl",
         "sourcing"),
    ],
)
def test_positives(text: str, lang: str, present: str) -> None:
    assert present in labels(text, lang)


def test_a_crisis_announced_as_an_abrupt_stop_gets_the_help_lines_not_the_taper_notice() -> None:
    found = labels("Ce soir je vais tout prendre d'un coup et ce sera fini.", "fr", use_model=True)
    assert "crisis" in found and "cold_turkey_self" not in found


# ----------------------------------------------------------- a post that repeats itself ---

STORY = ("Ik ben nu vier maanden aan het afbouwen met mijn huisarts. Het gaat traag maar goed. "
         "Ik slaap beter en wandel elke dag met de hond. ")


@pytest.mark.parametrize(
    ("text", "lang"),
    [(STORY * 60, "nl"), ("Bonjour " * 625, "fr"), ("a" * 19_999, "fr"), ("ok. " * 3000, "en")],
)
def test_a_post_that_repeats_itself_gets_no_model_finding(text: str, lang: str) -> None:
    assert not [f for f in moderation.check(text, lang) if f.source == "model"]


def test_a_repeated_crisis_is_still_found_and_points_into_the_post() -> None:
    text = "Ik wil niet meer leven. " * 40
    found = [f for f in moderation.check(text, "nl") if f.category == "crisis"]
    assert found and all(text[f.start : f.end] == f.match for f in found)
