"""Engine v2.26: supply through someone's work, offers with only an e-mail or a phone to reach,
and tapering (not people) called weak.

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Supply through someone's work.
        ("Ma cousine est infirmière, elle me dépanne quand je n'ai plus rien.", "fr", "sourcing"),
        ("Mijn schoonzus werkt in een woonzorgcentrum en brengt soms iets mee voor mij.", "nl", "sourcing"),
        ("My mate works nights at the care home. The odd strip finds its way to me.", "en", "sourcing"),
        # An offer or a request with only an e-mail or a phone to reach.
        ("Overschot Temesta 2,5 mg. Interesse? Mail naar iemand@voorbeeld.be", "nl", "sourcing"),
        ("J'achète du Xanax, ce que vous avez. Appelez-moi le soir.", "fr", "sourcing"),
        # Two pharmacists with the same prescription.
        ("Ik ga naar twee verschillende apothekers met hetzelfde voorschrift Stilnoct.", "nl", "sourcing"),
        # Medication itself called weak stays a label.
        ("Les somnifères c'est pour les faibles, point.", "fr", "stigma"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Tapering called weak: advice to stop, which the cold-turkey rules flag.
        ("Stop gewoon in één keer. Die afbouwschema's zijn voor watjes.", "nl", "stigma"),
        ("Arrête tout d'un coup, les paliers c'est pour les faibles.", "fr", "stigma"),
        # The outcome promised by advice, and the poster counted in.
        ("Tu jettes tout, en une semaine t'es clean.", "fr", "stigma"),
        ("Si une ancienne toxico comme moi y arrive, vous aussi.", "fr", "stigma"),
        # A nurse in the family who gives advice, not pills.
        ("Mijn zus is verpleegster en zegt dat ik met mijn huisarts moet praten.", "nl", "sourcing"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)


def test_tapering_called_weak_is_still_advice() -> None:
    assert "cold_turkey_advice" in labels("Stop gewoon in één keer. Die afbouwschema's zijn voor watjes.", "nl")
