"""Everyday posts the learned layer still flags (engine v2.2): kept here so a fix shows at once.

Each is a strict xfail: the day the engine leaves the post alone, the test passes and
strict mode turns that into a failure, so the line is removed and the fix recorded in
EVALUATION.md. Found by the resources tests after the v2.2 merge (2026-11-30): plain
sleep complaints and newcomers' introductions that name a medicine sit just above the
model's thresholds for crisis (0.37), sourcing (0.33) and cold-turkey advice (0.16).
"""

from __future__ import annotations

import pytest

import moderation

EVERYDAY = [
    ("nl", "Ik kan niet slapen, ik lig uren wakker."),  # crisis, model 0.47
    ("en", "Hello everyone, I'm new here. I've taken zolpidem for 6 years."),  # sourcing, model 0.37
    ("nl", "Hallo, ik ben nieuw hier. Ik neem al 6 jaar zolpidem."),  # cold-turkey advice, model 0.16
]


@pytest.mark.xfail(strict=True, reason="known false positive of the learned layer (EVALUATION.md)")
@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_an_everyday_post_has_no_finding(lang: str, text: str) -> None:
    assert moderation.check(text, lang) == []
