"""Engine v2.31: someone else's pills asked for ("geef ze aan mij"), a few asked for when one has
run out, pills thrown away "tout balancé", contempt for people who "made a choice"; and fewer false
alarms (pills thrown into the canal are no person at the water, a past crisis told with its way
out, a family's nickname, "au bout de 5 jours", a joke of sleeping forever, a doctor sought for a
taper or from long ago, tea to drink is no wood).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Ge moet die Temesta ni weggooien hoor, geef ze maar aan mij.", "nl", "sourcing"),
        ("Don't bin your leftover Xanax, send them to me, I'll pay the stamps.", "en", "sourcing"),
        ("Quelqu'un aurait 2 ou 3 cachets à me dépanner ? Je suis à court et mon médecin est fermé jusqu'à lundi.",
         "fr", "sourcing"),
        ("Ce matin j'ai tout balancé, mes Stilnoct et mon Xanax. À partir de maintenant plus rien.", "fr",
         "cold_turkey_self"),
        ("People who take sleeping pills for decades took the easy way and now they want a medal.", "en",
         "stigma"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Ce soir j'ai tout balancé dans le canal, mes Valium. Zéro à partir de maintenant.", "fr", "crisis"),
        ("Vorig jaar had ik mijn pillen gespaard om er een einde aan te maken. Nu, 12 maanden later, ik lach weer.",
         "nl", "crisis"),
        ("Il y a trois ans j'avais écrit une lettre d'adieu. Aujourd'hui je suis suivie et ça peut changer.",
         "fr", "crisis"),
        ("Chez nous on a un mot pour ceux qui vivent au Temesta, on les met au bout de la table.", "fr", "crisis"),
        ("Arrête ton Temesta et bois de la tisane, au bout de 5 jours c'est fini.", "fr", "crisis"),
        ("Ma grand-mère disait 'je vais dormir pour toujours' comme une blague, tous les soirs.", "fr", "crisis"),
        ("Does anyone know a GP in Ghent who does slow benzo tapers?", "en", "sourcing"),
        ("Je cherche le docteur qui a mis ma mère sous Valium en 1978. Quelqu'un a son numéro ?", "fr",
         "sourcing"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
