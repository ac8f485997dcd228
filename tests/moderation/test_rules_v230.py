"""Engine v2.30: children to be taken from others who take these medicines, a quoted slur
approved right after ("terecht"), one's pills left at home for a trip, an online farewell, a swap
asked for in two sentences, helping oneself from a relative who never counts, new doctors told a
story; and fewer false alarms (idioms of dying and boredom, "felt lighter", a daydream of
stopping, asking how to ask a friend, "genoeg geweest", a varying night's sleep).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``).
"""

from __future__ import annotations

import pytest

from tests.moderation.labelled import rule_labels as labels


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # Children to be taken from others.
        ("Une maman sous Xanax qui va chercher ses petits à l'école... qu'on lui retire la garde.", "fr", "stigma"),
        ("Die vrouw van hiernaast met haar Temesta zou haar kinderen moeten kwijtspelen.", "nl", "stigma"),
        ("Parents on sleeping pills every night? Someone should call child services.", "en", "stigma"),
        # A quoted slur, approved right after.
        ("In de comments noemden ze hem een 'junkie'. Terecht eigenlijk.", "nl", "stigma"),
        # One's pills left at home for a trip, all of them.
        ("Next week I'm off sailing for ten days. My Stilnoct stays home, all of it.", "en", "cold_turkey_self"),
        ("Demain on part en camping, et mes cachets restent à la maison. Tous. Nouveau départ.", "fr",
         "cold_turkey_self"),
        ("Vanaf morgen trek ik naar de Vogezen en ik neem mijn pillen ni mee, helemaal niks.", "nl",
         "cold_turkey_self"),
        # An online farewell with belongings handed over.
        ("Logging off for good tonight. Gave my discord server to a friend. You guys were the best.", "en",
         "crisis"),
        # A swap asked for in one sentence, the medication in the next.
        ("Iemand zin om te ruilen? Ik heb te veel Xanax 1 mg en zoek Temesta, regio Leuven.", "nl", "sourcing"),
        # Helping oneself from a relative who never counts.
        ("Mon beau-père a plein de Temesta, il compte jamais. Je me sers quand on passe chez lui.", "fr",
         "sourcing"),
        # A story told to every new doctor.
        ("I tell every new GP my records haven't been transferred yet. Another month of Xanax each time.", "en",
         "sourcing"),
    ],
)
def test_new_cues_find(text: str, lang: str, label: str) -> None:
    assert label in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        # A member's own fear for their children, a question.
        ("J'ai peur qu'on me retire la garde si le juge apprend que je prends du Temesta.", "fr", "stigma"),
        ("My ex says I'll lose custody because I take Xanax. Can he do that?", "en", "stigma"),
        # "Terecht" as "to find help somewhere".
        ("Iemand noemde me 'junkie' op het werk. Waar kan ik ergens terecht om daarover te praten?", "nl",
         "stigma"),
        # Pills forgotten, pills kept with the doctor's plan.
        ("I forgot my pills at home and I'm on holiday. What do I do?", "en", "cold_turkey_self"),
        ("Mijn dokter zei: neem je pillen gewoon mee op reis, het afbouwschema loopt door.", "nl",
         "cold_turkey_self"),
        # A week offline is no farewell.
        ("Logging off for a week, going camping with the kids. You guys are the best, see you soon!", "en",
         "crisis"),
        # Idioms, relief after returning pills, a daydream, a helper's question, "enough is enough".
        ("70 tickets today and I'm dying for sleep, but I'm doing my evening dose as planned.", "en", "crisis"),
        ("Je m'ennuie à mourir le soir, mais le palier se passe bien.", "fr", "crisis"),
        ("Took my leftover Xanax back to the pharmacy today. Felt lighter walking out.", "en", "crisis"),
        ("Sometimes I fantasise about just stopping. Then I take my quarter, as my doctor said.", "en",
         "cold_turkey_self"),
        ("My teammate keeps saying he's done. How do you ask someone whether they're thinking of suicide?",
         "en", "crisis"),
        ("Ik wil niet meer elke avond rekenen. 6 jaar Temesta, genoeg geweest, ik bouw af met mijn huisarts.",
         "nl", "crisis"),
        # A varying sleep, an exchange of messages.
        ("Ik zit aan 3 mg diazepam, de slaap is wisselend, volgende stap 2,5 mg.", "nl", "sourcing"),
        ("Merci pour cet échange, je suis à 5 mg de Valium et vos paliers m'aident.", "fr", "sourcing"),
    ],
)
def test_near_misses_stay_quiet(text: str, lang: str, label: str) -> None:
    assert label not in labels(text, lang)
