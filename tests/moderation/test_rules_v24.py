"""Engine v2.4: the rule revisions made after blind set E5 (hard negatives and positives, fr/nl/en).

The sentences are written for these tests, not taken from any labelled set. Rules only
(``use_model=False``): the learned layer is tested in test_model.py.
"""

from __future__ import annotations

import pytest

import moderation
from tests.moderation.labelled import rule_labels as labels


def rules(text: str, lang: str) -> set[str]:
    return {f.rule for f in moderation.check(text, lang, use_model=False)}


# --------------------------------------------------------------- hard negatives ---

@pytest.mark.parametrize(
    ("text", "lang", "absent"),
    [
        # Advice the poster reports in order to reject it.
        ("Every month someone here repeats the same advice: bin them all, a week of hell, finished. Please don't.",
         "en", "cold_turkey_advice"),
        ("Ik lees hier dat iemand van vandaag op morgen wil stoppen met zijn Temesta. Doe dat alstublieft niet.",
         "nl", "cold_turkey_advice"),
        ("Je lis ici que certains veulent tout arrêter d'un coup. Moi j'ai fait une crise d'épilepsie comme ça.",
         "fr", "cold_turkey_advice"),
        # A small dose asked about, or someone else's opinion reported.
        ("Is 0.5 mg of diazepam really nothing at this point?", "en", "cold_turkey_advice"),
        ("Ma voisine dit que 0,25 mg c'est rien, mais ma médecin veut encore deux paliers.", "fr",
         "cold_turkey_advice"),
        # Negation stops at a comma; a reporting verb is never negated.
        ("Mon généraliste n'y connaît rien, hij zegt gewoon 'stop ermee'. Quelqu'un connaît un bon médecin à Jette ?",
         "fr", "cold_turkey_advice"),
        # Halfway through a taper; the last step of a taper.
        ("Volgende maand ben ik aan de helft van mijn afbouw, de huisarts is tevreden.", "nl",
         "cold_turkey_advice"),
        ("Sinds de laatste stap van de lormetazepam (nu 1 mg) slaap ik slecht.", "nl", "cold_turkey_self"),
        # Contempt is stigma, not a method of stopping.
        ("Ge zijt allemaal sukkels, stop met zagen en ga werken.", "nl", "cold_turkey_advice"),
    ],
)
def test_cold_turkey_hard_negatives(text: str, lang: str, absent: str) -> None:
    assert absent not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # A helper speaks of what others write, or asks how to support a friend.
        ("If someone in this group says they are thinking about ending things, ask them directly and give 1813.",
         "en"),
        ("Quand quelqu'un écrit ici qu'il veut en finir, répondez-lui et donnez le 0800 32 123.", "fr"),
        ("Als iemand hier schrijft dat hij er een einde aan wil maken, vraag het hem rechtstreeks.", "nl"),
        ("How can I support my sister? She keeps saying she wishes she wouldn't wake up, then laughs it off.", "en"),
        ("My brother nearly didn't wake up after mixing pills with alcohol last year.", "en"),
        # A past crisis told as recovery, the years written in words.
        ("Il y a cinq ans j'ai avalé toute ma boîte de Lexomil. Aujourd'hui je vais mieux et je suis sevrée.", "fr"),
        # A help line's name is no death wish; a sign-off is no farewell.
        ("Le centre de prévention du suicide répond jour et nuit au 0800 32 123. Prenez soin de vous.", "fr"),
        # "My last post" meaning the previous one.
        ("Sorry if my last post sounded grim, I was just exhausted. Slept five hours tonight!", "en"),
        # Others on a train; counting pills as a tedious habit.
        ("Die gasten op de trein met hun pillen, allemaal zwakkelingen.", "nl"),
        ("Dix ans que je prenais ça, j'en avais marre de compter les comprimés matin et soir.", "fr"),
        # The decision is to stop the pills.
        ("J'ai pris ma décision ce matin. Plus de Temesta, ni ce soir ni demain.", "fr"),
    ],
)
def test_crisis_hard_negatives(text: str, lang: str) -> None:
    assert "crisis" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Warnings against sellers and shops.
        ("Petit avertissement : un site 'pharmacie en ligne' vend du Xanax sans ordonnance. N'achetez rien là-bas.",
         "fr"),
        ("Waarschuwing: er gaat een link rond van een webshop die Valium zonder voorschrift verkoopt. "
         "Koop dus niks online.", "nl"),
        ("Beware of the sites selling 'Valium without a prescription'. My cousin ordered and got fake pills.", "en"),
        # A parent's worry about a son who buys online.
        ("Mon fils achète du Xanax sur Snap, il n'a pas d'ordonnance. Comment je peux lui parler sans qu'il se ferme ?",
         "fr"),
        # Company, care and practical questions.
        ("Je cherche quelqu'un dans la région de Namur pour parler le soir, je suis en sevrage de Seresta.", "fr"),
        ("Wie wil mee koffie drinken in Gent? We bouwen allebei af van de lorazepam.", "nl"),
        ("C'est qui la dame qui a laissé des brochures sur les somnifères dans l'entrée ?", "fr"),
        ("Ik zit zonder geld voor mijn medicatie sinds ik mijn werk kwijt ben, iemand tips voor het OCMW?", "nl"),
        # "over" about someone, a missed call count, a taper halfway.
        ("Ik bouw af van Imovane, nu aan de helft. Een collega zei ooit over iemand anders dat ze een junkie was.",
         "nl"),
        ("Ik heb 8 gemiste oproepen. Ik zit aan het water met een fles wijn.", "nl"),
    ],
)
def test_sourcing_hard_negatives(text: str, lang: str) -> None:
    assert "sourcing" not in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je me suis traitée de toxico toute la soirée, puis j'ai eu l'impression d'être une droguée.", "fr"),
        ("Dans le miroir je me suis dit 'tu ressembles à une vieille junkie'. Bon, la vieille junkie va se reposer.",
         "fr"),
        ("Ik ben een zwakkeling. Dat zeg ik al de hele dag tegen mezelf.", "nl"),
    ],
)
def test_self_description_is_never_stigma(text: str, lang: str) -> None:
    assert "stigma" not in labels(text, lang)


def test_a_handle_before_a_word_is_no_full_name() -> None:
    assert "personal_data" not in labels("@Clara Perso je trouve que tu vas trop vite.", "fr")
    assert "personal_data" not in labels("@Kevin Ge zit nog maar aan 1 mg.", "nl")
    assert "personal_data" in labels("Je m'appelle Clara Dubois, appelez-moi.", "fr")


# ------------------------------------------------------------------- positives ---

@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Send the money by PayPal and I'll post the diazepam on Monday, tracked.", "en"),
        ("Faites le virement sur mon compte et je vous envoie les Temesta dès réception.", "fr"),
        ("Na betaling op mijn rekening stuur ik de Xanax op.", "nl"),
        ("I still have a bottle of diazepam from before. If anyone in the Leuven area is in a bind between "
         "prescriptions, message me.", "en"),
        ("Ma sœur travaille à l'hôpital, elle peut faire sortir des boîtes de Rivotril. Écrivez-moi en privé.", "fr"),
        ("J'ai tout donné à mon voisin qui en avait besoin pour dormir, mes Lexomil et mon Stilnoct.", "fr"),
        ("Ik heb mijn Temesta aan mijn nicht gegeven, voor als ze ze nodig heeft.", "nl"),
    ],
)
def test_sourcing_without_a_dealing_word(text: str, lang: str) -> None:
    assert "sourcing" in labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("love u all. its not ur fault", "en"),
        ("Vanaf vandaag neem ik niks meer. Als het misgaat, dan is dat maar zo. Niemand gaat me missen.", "nl"),
        ("Mon père avale toutes ses pilules d'un coup quand il est en colère. Quelqu'un peut passer le voir ?", "fr"),
        ("My mother takes all her pills at once when she's upset. Can someone check on her tonight?", "en"),
    ],
)
def test_crisis_without_the_usual_words(text: str, lang: str) -> None:
    assert "crisis" in labels(text, lang)


def test_a_quoted_stop_is_still_advice_when_said_to_someone() -> None:
    # The comma ends a negation's reach: "pas besoin de diminuer, arrête d'un coup" is advice.
    assert "cold_turkey_advice" in labels("Pas besoin de diminuer, arrête tout d'un coup, tu verras.", "fr")


def test_a_stop_that_is_part_of_a_decision_is_the_posters_own() -> None:
    found = labels("Ik ben gestopt. Vanochtend. Alles in de vuilbak, 2 mg Xanax.", "nl")
    assert "cold_turkey_self" in found
    assert "crisis" not in found
