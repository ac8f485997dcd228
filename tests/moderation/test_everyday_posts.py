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
