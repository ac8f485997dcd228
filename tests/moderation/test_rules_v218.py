"""Engines v2.18 and v2.19: stigma written as contempt; crisis words that are not a crisis.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``) unless a test says otherwise.
"""

from __future__ import annotations

import pytest

from moderation.engine import model_gate_open
from moderation.features import analyse
from moderation.normalize import fold
from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # The medicine called something for weak people. (Tapering called so is advice to stop at once
        # since v2.26, not a label for people: tests/moderation/test_rules_v226.py.)
        ("Sleeping tablets are for the weak, everyone knows that.", "en"),
        ("Those pills are a crutch for weak people.", "en"),
        # A medicine made into a name for a person.
        ("De buurvrouw is een echte temestawijf, altijd suf.", "nl"),
        ("My neighbour's a total tranq-head, can't hold a conversation.", "en"),
        # A group set apart with scorn that no label word carries.
        ("Ceux qui prennent ça depuis vingt ans, c'est de la racaille qui vit aux frais de la sécu.", "fr"),
        ("Mensen die elke avond een pil slikken, da's uitschot.", "nl"),
        ("People who can't sleep without pills are scum, plain and simple.", "en"),
    ],
)
def test_contempt_found(text: str, lang: str) -> None:
    assert "stigma" in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Said by somebody else, denied, or asked about: not the poster's contempt.
        ("Mon oncle disait « les somnifères c'est pour les faibles », ça m'a blessée.", "fr"),
        ("Afbouwen is niet voor watjes, het vraagt net moed.", "nl"),
        ("Is tapering for the weak? My brother keeps saying so and it hurts.", "en"),
        # A member describing themselves with the compound is not lectured.
        ("Ik voel me soms een echte benzoslaaf, maar ik bouw af met mijn huisarts.", "nl"),
    ],
)
def test_contempt_not_found(text: str, lang: str) -> None:
    assert "stigma" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Scorn for oneself in a crisis never silences the crisis: SCORN is not CONTEMPT.
        ("I'm a waste of space and it's my own fault. Tonight I take the whole box, everyone would be better off.",
         "en"),
        ("C'est de ma faute, je suis une bonne à rien. Ce soir je prends toute la boîte.", "fr"),
        ("Ik ben een nietsnut, eigen schuld. Vanavond neem ik de hele strip in één keer.", "nl"),
    ],
)
def test_self_scorn_keeps_crisis(text: str, lang: str) -> None:
    assert "crisis" in labels(text, lang)


def test_stigma_model_gate() -> None:
    def gate(text: str, lang: str) -> bool:
        return model_gate_open("stigma", analyse(fold(text).plain, lang))

    assert gate("Dat soort volk, altijd klagen. Parasieten zijn het.", "nl")
    assert gate("Honestly, they are the dregs of this town.", "en")
    assert not gate("Un forum pour les personnes qui prennent des benzodiazépines.", "fr")
    # Other labels are never gated.
    assert model_gate_open("crisis", analyse(fold("Un forum pour les personnes.").plain, "fr"))


# Engine v2.19: the rule revisions made after O17 was scored.


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Waking at a clock time is the withdrawal's early waking, not a wish never to wake.
        ("I'd rather not wake up again at 4am soaked in sweat. Tips for the rebound?", "en"),
        ("Je ne veux plus me réveiller à 4h avec le cœur qui cogne. Des astuces ?", "fr"),
        ("Ik wil niet meer wakker worden om 3u met dat bonzend hart. Iemand tips?", "nl"),
        # The care system's letters are not farewell letters.
        ("Sur la lettre de sortie de l'hôpital ils ont écrit « abus ». Mon fils l'a lu, ça m'a blessée.", "fr"),
    ],
)
def test_not_crisis(text: str, lang: str) -> None:
    assert "crisis" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je ne veux plus jamais me réveiller. Ce soir c'est fini.", "fr"),
        ("I don't want to wake up tomorrow, I'm done.", "en"),
        # "Weeks" in a taper count is no trip: standing on a balcony now still counts.
        ("3 weeks off clonazepam and I'm standing on my balcony on the 9th floor thinking about jumping.", "en"),
    ],
)
def test_still_crisis(text: str, lang: str) -> None:
    assert "crisis" in labels(text, lang)


def test_benzo_free_is_no_medicine() -> None:
    # "benzovrij" names no medicine on offer: books given away are no sourcing.
    assert "sourcing" not in labels("Ik geef zelfhulpboeken weg sinds ik benzovrij ben. PB.", "nl")
    assert "sourcing" in labels("Ik heb nog xanax over sinds ik benzovrij ben. PB.", "nl")
