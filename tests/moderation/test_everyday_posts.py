"""Everyday posts the engine must leave alone.

Found by the resources tests after the v2.2 merge (2026-11-30): plain sleep complaints and
newcomers' introductions that name a medicine sat just above the learned layer's thresholds
(crisis, sourcing, cold-turkey advice). Fixed in the corpus, not by hand: 150 ordinary posts
written blind (O1, EVALUATION.md) and the E4 set were folded in and the model retrained.
"""

from __future__ import annotations

import pytest

import moderation

EVERYDAY = [
    ("nl", "Ik kan niet slapen, ik lig uren wakker."),  # was crisis (model 0.47, v2.2)
    # was sourcing (0.37, v2.2; 0.344 against 0.34 on v2.4); none since E6 and O2 were folded in (v2.5)
    ("en", "Hello everyone, I'm new here. I've taken zolpidem for 6 years."),
    ("nl", "Hallo, ik ben nieuw hier. Ik neem al 6 jaar zolpidem."),  # was cold-turkey advice (0.16)
    # Describing people is not labelling them: these read as stigma to the model (0.52-1.00) until the
    # learned layer's stigma finding needed a word of contempt (v2.5).
    ("fr", "Ce forum est pour les personnes qui prennent des somnifères et pour leurs proches."),
    ("nl", "Een forum voor mensen die benzodiazepines nemen, afbouwen of gestopt zijn, en voor hun naasten."),
    ("en", "A forum for people who take, taper or have stopped benzodiazepines, and for their relatives."),
    ("nl", "Mensen die slaappillen nemen zijn niet zwak."),
]


@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_an_everyday_post_has_no_finding(lang: str, text: str) -> None:
    assert moderation.check(text, lang) == []


# A greeting to the readers is no "all of them" (walk31, 2026-12-01): the demo's first post, "Bonjour à
# tous, je prends du Loramet ...", was a crisis (frame crisis.take_all: INGEST + TOTAL "tous" + MED),
# so every reader of the introduction thread saw the help-lines banner and it was queued as urgent.
GREETINGS = [
    ("fr", "Bonjour à tous, je prends du Loramet 2 mg depuis six ans pour dormir."),
    ("fr", "Salut à toutes, je prends du Lexomil le soir."),
    ("nl", "Hallo allemaal, ik neem al vijf jaar Lormetazepam om te slapen."),
    ("en", "Hi all, I take zopiclone every night for sleep."),
]
STILL_CRISIS = [
    ("fr", "Je vais tous les prendre ce soir, mes Xanax."),
    ("nl", "Ik neem ze allemaal in vannacht, al mijn pillen."),
    ("fr", "Bonjour à tous. Ce soir je prends toute la boîte de Xanax."),
]


@pytest.mark.parametrize(("lang", "text"), GREETINGS)
def test_a_greeting_to_all_is_not_taking_them_all(lang: str, text: str) -> None:
    assert moderation.check(text, lang) == []


@pytest.mark.parametrize(("lang", "text"), STILL_CRISIS)
def test_taking_them_all_after_a_greeting_is_still_a_crisis(lang: str, text: str) -> None:
    assert "crisis" in {finding.category for finding in moderation.check(text, lang)}
