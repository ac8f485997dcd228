"""A member's own abrupt stop, told in French with "c'est décidé", is theirs, not advice to others.

English's "decide" (BODYKNOWS: "just decide", a willpower argument aimed at the reader) matched the
French "décidé" once accents are folded, and made a first-person announcement read as addressed to
someone: the post then carried the public "gradual tapering" box under it, which DESIGN.md keeps for
advice to others (a member's own stop gets a private, kind notice). Found on a walk at 390 px.

The sentences are written for these tests. Rules only (``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ce matin j'ai jeté toutes mes pilules à la poubelle. J'arrête le Loramet d'un coup, aujourd'hui, "
         "c'est décidé.", "fr"),
        ("J'arrête le Lormetazepam d'un coup, c'est décidé.", "fr"),
        ("Vanmorgen heb ik al mijn pillen weggegooid. Ik stop vandaag in één keer met de Loramet, de beslissing "
         "is genomen.", "nl"),
    ],
)
def test_an_announced_own_stop_is_not_advice(text: str, lang: str) -> None:
    assert labels(text, lang) == {"cold_turkey_self"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Just decide to stop tonight, the body knows how to sleep.", "en"),
        ("You just have to decide: throw them out and it's done.", "en"),
    ],
)
def test_deciding_as_advice_still_reads_as_advice_in_english(text: str, lang: str) -> None:
    assert "cold_turkey_advice" in labels(text, lang)
