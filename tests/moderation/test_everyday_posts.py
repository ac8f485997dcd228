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
    pytest.param(
        "en", "Hello everyone, I'm new here. I've taken zolpidem for 6 years.",  # was sourcing (0.37, v2.2)
        # v2.4 (E5 folded in): sourcing 0.344 against a threshold of 0.34 chosen on the dev split. The
        # weight comes from plain words ("zolpidem", "have", "here", "hello"): more ordinary English
        # introductions in the corpus, not a threshold moved by hand, is the fix.
        marks=pytest.mark.xfail(strict=True, reason="v2.4 model: sourcing 0.344 >= 0.34 on a plain introduction"),
    ),
    ("nl", "Hallo, ik ben nieuw hier. Ik neem al 6 jaar zolpidem."),  # was cold-turkey advice (0.16)
]


@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_an_everyday_post_has_no_finding(lang: str, text: str) -> None:
    assert moderation.check(text, lang) == []
