"""Engine v2.16: the rule revisions made after blind set O14 was scored.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``) unless a test says otherwise: the learned layer is tested in test_model.py.
"""

from __future__ import annotations

import pytest

from moderation.engine import ABSENCE_RULES, get_engine
from moderation.normalize import fold
from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # The lost-box trick told to the pharmacist, or about the box rather than the pills.
        ("Tip: tell the chemist your packet got pinched on the bus, they give you a few days' worth.", "en",
         "sourcing"),
        ("Dis au pharmacien que ta boîte est tombée dans l'évier, il t'en donne une autre.", "fr", "sourcing"),
        ("Zeg tegen de dokter dat uw doosje gejat is, dan schrijft hij een nieuw voor.", "nl", "sourcing"),
        # Pills within reach and a call to be fetched before it is too late.
        ("Kom mij halen voor het te laat is. De pillen liggen naast mij op het bed.", "nl", "crisis"),
        ("Venez me chercher avant qu'il soit trop tard, les comprimés sont à côté de moi.", "fr", "crisis"),
        ("Someone come before it's too late, the whole box is next to me.", "en", "crisis"),
        # A doctor who writes whatever is asked, with a contact.
        ("My GP writes whatever I ask for, message me for his name.", "en", "sourcing"),
        # A label with an adjective in between is still a label.
        ("Die gast van hiernaast is ne echte junk, altijd aan de pillen.", "nl", "stigma"),
    ],
)
def test_found(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Pills on the bedside table, as every evening: no danger said.
        ("Mijn Loramet ligt naast mij op het nachtkastje, zoals elke avond.", "nl", "crisis"),
        # A past night with the pills beside the bed, told as recovery.
        ("Vorige winter lag ik in bed met alle pillen naast mij. Bel 1813, nu gaat het veel beter.", "nl", "crisis"),
        # Dark thoughts had and over, told to encourage others to speak.
        ("Ik heb zware gedachten gehad tijdens de afbouw. Mijn huisarts liet me trager gaan, sinds een maand gaat "
         "het beter.", "nl", "crisis"),
        ("J'avais des idées noires après la dernière baisse. J'en ai parlé à ma médecin, ça va mieux depuis.", "fr",
         "crisis"),
        ("In 2020 I wanted to die during the worst weeks of withdrawal. I'm fine now, it passes.", "en", "crisis"),
        # A pharmacy visit for one's own lost prescription, no scheme.
        ("Mijn voorschrift is verloren, de apotheker belt de huisarts voor een nieuw.", "nl", "sourcing"),
    ],
)
def test_not_found(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


def test_dutch_negation_after_the_verb_stops_at_a_comma() -> None:
    # "wat ge wilt, geen gedoe": the "geen" opens the next clause, it does not negate the doctor's ease.
    assert "sourcing" in labels("Er is een dokter in Hasselt die voorschrijft wat ge wilt, geen gedoe. Naam via PB.",
                                "nl")


def test_advice_opening_with_an_imperative_stays_advice_with_a_story() -> None:
    found = labels("Arrête tout d'un coup, c'est ce que j'ai fait et une semaine après j'étais libre.", "fr")
    assert "cold_turkey_advice" in found and "cold_turkey_self" not in found
    # The poster's own abrupt stop is still their own.
    assert labels("J'arrête le Tranxene ce soir, d'un coup. J'en ai marre.", "fr") == {"cold_turkey_self"}


def test_a_phrase_dropped_for_lack_of_context_leaves_the_category_to_the_model() -> None:
    """ "DM me" with nothing on offer nearby is not a rule finding, but it no longer stops the learned
    layer from reading the post; a phrase ruled out by its words (a warning) still does."""
    engine = get_engine()
    text = "Wie zit er vast dit weekend? Ik kan helpen, stuur maar een PB."
    folded = fold(text)
    vetoed: set[tuple[str, int, int]] = set()
    engine.lexicon_findings(text, folded, vetoed)
    assert "sourcing" not in {category for category, _, _ in vetoed}
    assert {"needs_supply", "needs_advice"} <= ABSENCE_RULES and "needs_medication" not in ABSENCE_RULES
    warned = "Koop nooit xanax online zonder voorschrift, da's nep."
    vetoed = set()
    engine.lexicon_findings(warned, fold(warned), vetoed)
    assert "sourcing" not in labels(warned, "nl")


def test_a_question_asked_rules_out_its_own_sentence_only() -> None:
    """The question a psychiatrist asked is no crisis; a count of set-aside pills later in the post
    is still read by the learned layer (the veto is the question's sentence, not the post's)."""
    engine = get_engine()
    text = ("Mijn psychiater vroeg of ik donkere gedachten had. Ik zei nee. Maar ik heb alles geteld wat ik "
            "opzij heb gelegd, het is genoeg.")
    vetoed: set[tuple[str, int, int]] = set()
    engine.lexicon_findings(text, fold(text), vetoed)
    spans = [(start, end) for category, start, end in vetoed if category == "crisis"]
    assert spans and all(end <= text.index("Ik zei") for _, end in spans)  # the question's sentence only
    # A warning speaks for the whole post.
    warned = "Nooit pillen online kopen zonder voorschrift. Mijn buurman heeft Xanax via Instagram gekocht."
    vetoed = set()
    engine.lexicon_findings(warned, fold(warned), vetoed)
    assert ("sourcing", 0, len(fold(warned).plain)) in vetoed
