"""Engine v2.18: stigma written as contempt rather than as a label word.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``) unless a test says otherwise.
"""

from __future__ import annotations

import pytest

import moderation
from moderation.corpus import finding_label
from moderation.engine import model_gate_open
from moderation.features import analyse
from moderation.normalize import fold


def labels(text: str, lang: str) -> set[str]:
    return {finding_label(f.category, f.about) for f in moderation.check(text, lang, use_model=False)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Tapering, or the medicine, called something for weak people: contempt aimed at those who do it.
        ("Ces histoires de diminution sur six mois, c'est pour les mauviettes.", "fr"),
        ("Zo'n afbouwschema is gewoon voor slappelingen.", "nl"),
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
