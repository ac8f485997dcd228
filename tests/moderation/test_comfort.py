"""A reply that finds comfort ("dat ik niet alleen ben") is no crisis for the learned layer when
the post has no word of danger and no word of the pills (found by an outsider's walk: a new
member's thank-you got the help lines, and skipped the first-post hold). With the model."""

from __future__ import annotations

import pytest

import moderation


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Dank je om dit te delen, het helpt om te lezen dat ik niet alleen ben.", "nl"),
        ("Merci pour ton message, ça aide de lire que je ne suis pas seule.", "fr"),
        ("Thanks for sharing, it really helps to know I'm not alone.", "en"),
    ],
)
def test_comfort_found_is_no_crisis(text: str, lang: str) -> None:
    assert "crisis" not in {f.category for f in moderation.check(text, lang)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ik ben niet alleen, maar ik wil niet meer leven.", "nl"),
        ("Merci, je ne suis pas seule, mais ce soir je prends toute la boîte.", "fr"),
        ("I am not alone, my sister is here, but I have the pills counted out and tonight is the night.", "en"),
    ],
)
def test_not_alone_with_danger_or_the_pills_keeps_its_crisis(text: str, lang: str) -> None:
    assert "crisis" in {f.category for f in moderation.check(text, lang)}
