"""One test per context rule: the same words raised or not depending on context."""

from __future__ import annotations

import pytest

import moderation


def categories(text: str, lang: str) -> set[str]:
    return {f.category for f in moderation.check(text, lang)}


def rules(text: str, lang: str) -> set[str]:
    return {f.rule for f in moderation.check(text, lang)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("> les toxicos n'ont qu'à se débrouiller", "fr"),
        ('Hij zei letterlijk "vuile junkie" tegen mij.', "nl"),
        ("Elle a écrit « bande de toxicos » sur le mur.", "fr"),
        ("She said “you junkie” and walked away.", "en"),
    ],
)
def test_quoted_label_is_not_stigma(text: str, lang: str) -> None:
    assert "stigma" not in categories(text, lang)


def test_same_label_unquoted_is_stigma() -> None:
    assert "stigma" in categories("Les toxicos n'ont qu'à se débrouiller", "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mon médecin m'a traité de toxico.", "fr"),
        ("On me prend pour une droguée à la pharmacie.", "fr"),
        ("Mijn huisarts noemde me een junkie.", "nl"),
        ("Ze hebben me uitgemaakt voor verslaafde.", "nl"),
        ("The nurse called me an addict.", "en"),
        ("They treated me like a junkie at the ER.", "en"),
    ],
)
def test_reported_speech_is_not_stigma(text: str, lang: str) -> None:
    assert "stigma" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le mot toxicomane me fait mal.", "fr"),
        ("Het woord verslaafde vind ik kwetsend.", "nl"),
        ("Please stop saying addict about us.", "en"),
        ("Junkie is such a hurtful word.", "en"),
    ],
)
def test_discussing_the_word_is_not_stigma(text: str, lang: str) -> None:
    assert "stigma" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je n'ai pas envie de mourir, j'ai peur.", "fr"),
        ("I'm not suicidal, just tired.", "en"),
        ("Ik heb geen zelfmoordgedachten, wees gerust.", "nl"),
    ],
)
def test_negated_crisis_phrase_is_not_crisis(text: str, lang: str) -> None:
    assert "crisis" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("mort de rire", "fr"),
        ("je meurs de faim", "fr"),
        ("this insomnia is killing me", "en"),
        ("ik lach me dood", "nl"),
        ("ik ben er kapot van", "nl"),
        ("ik ben doodmoe", "nl"),
        ("I nearly died laughing", "en"),
    ],
)
def test_figurative_speech_is_not_crisis(text: str, lang: str) -> None:
    assert "crisis" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Surtout n'arrête pas d'un coup, c'est dangereux.", "fr"),
        ("Stop zeker niet in één keer.", "nl"),
        ("Never stop cold turkey.", "en"),
    ],
)
def test_warning_is_not_cold_turkey_advice(text: str, lang: str) -> None:
    assert "cold_turkey_advice" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Est-ce qu'on peut arrêter d'un coup après 10 jours ?", "fr"),
        ("Mag ik in één keer stoppen met zolpidem?", "nl"),
        ("Is it safe to quit cold turkey after a week?", "en"),
    ],
)
def test_question_is_not_cold_turkey_advice(text: str, lang: str) -> None:
    assert "cold_turkey_advice" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("J'ai arrêté d'un coup en 2019, j'ai souffert.", "fr"),
        ("Ik ben toen in één keer gestopt.", "nl"),
        ("I quit cold turkey years ago.", "en"),
    ],
)
def test_past_narration_is_not_cold_turkey_advice(text: str, lang: str) -> None:
    assert "cold_turkey_advice" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Arrête d'un coup, c'est le mieux.", "fr"),
        ("Stop er gewoon in één keer mee.", "nl"),
        ("Just go cold turkey.", "en"),
        ("Why not just quit cold turkey?", "en"),
    ],
)
def test_advice_is_cold_turkey_advice(text: str, lang: str) -> None:
    assert "cold_turkey_advice" in categories(text, lang)


def test_bare_abrupt_phrase_is_an_announcement_not_advice() -> None:
    found = moderation.check("Je voudrais arrêter d'un coup.", "fr")
    findings = [f for f in found if f.category == "cold_turkey_advice"]
    assert findings and all(f.about == "self" for f in findings)


def test_pharmacy_return_is_not_sourcing() -> None:
    assert "sourcing" not in categories("Je donne mes comprimés en trop à la pharmacie, ils les reprennent.", "fr")
    assert "sourcing" in categories("Je donne mes comprimés en trop, qui en veut ?", "fr")


def test_generic_offer_needs_a_medication_word() -> None:
    assert "sourcing" not in categories("Vélo à vendre, contactez-moi en mp.", "fr")
    assert "sourcing" in categories("Xanax à vendre, contactez-moi en mp.", "fr")


def test_warning_is_not_sourcing() -> None:
    assert "sourcing" not in categories("Koop nooit pillen online zonder voorschrift.", "nl")


def test_primary_language_chooses_the_explanation() -> None:
    fr = moderation.check("junkie", "fr")
    nl = moderation.check("junkie", "nl")
    assert [f.rule for f in fr] == ["fr.stigma.junkie"]
    assert [f.rule for f in nl] == ["nl.stigma.junkie"]


def test_mixed_language_post() -> None:
    found = categories("Ik zie het niet meer zitten, je veux juste que tout s'arrête.", "nl")
    assert found == {"crisis"}
    assert "stigma" in categories("Merci pour vos réponses, mais die junkies aan het station...", "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je suis une ancienne toxico, et alors ?", "fr"),
        ("je suis accro au temesta depuis 8 ans", "fr"),
        ("Je me sens comme une camée à compter mes cachets.", "fr"),
        ("Ik voel me een junkie als ik naar de apotheek ga.", "nl"),
        ("kvoel mij een echte verslaafde", "nl"),
        ("I'm a benzo addict, there I said it.", "en"),
        ("I'm 8 months clean from Xanax!", "en"),
    ],
)
def test_self_description_is_never_lectured(text: str, lang: str) -> None:
    assert "stigma" not in categories(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ma voisine est une toxico.", "fr"),
        ("on est tous des toxicos ici", "fr"),
        ("Die junkies aan het station.", "nl"),
        ("You're a junkie.", "en"),
    ],
)
def test_labels_aimed_at_others_are_still_flagged(text: str, lang: str) -> None:
    assert "stigma" in categories(text, lang)


def rule_labels(text: str, lang: str) -> set[str]:
    from moderation.corpus import finding_label

    return {finding_label(f.category, f.about) for f in moderation.check(text, lang, use_model=False)}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Parfois je me sens vraiment une droguée quand je fais la file à la pharmacie.", "fr"),
        ("Soms voel ik me echt een junkie als ik mijn doosje ga halen.", "nl"),  # inverted subject
        ("Feel like such a junkie when I count the hours to my next dose.", "en"),  # no subject at all
        ("Sinds de Temesta voel ik me een sukkel en een verslaafde.", "nl"),  # two labels, one self
        ("Als ex-verslaafde kan ik zeggen dat het beter wordt.", "nl"),
    ],
)
def test_self_description_in_any_word_order_is_not_lectured(text: str, lang: str) -> None:
    assert "stigma" not in rule_labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mijn zus zegt dat hij een junkie is, maar dat klopt niet.", "nl"),
        ("Ma tante dit qu'elle est une droguée, c'est faux.", "fr"),
    ],
)
def test_a_third_persons_label_reported_by_the_poster_is_not_the_posters(text: str, lang: str) -> None:
    assert "stigma" not in rule_labels(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("On ne fréquente pas les toxicomanes, ils ne changent jamais.", "fr"),  # the verb is negated
        ("I'm tired of working with xanax junkies.", "en"),  # not a self-description
    ],
)
def test_labels_aimed_at_others_stay_stigma(text: str, lang: str) -> None:
    assert "stigma" in rule_labels(text, lang)


def test_a_denied_label_is_not_stigma() -> None:
    assert "stigma" not in rule_labels("Dépendre d'un médicament prescrit, ce n'est pas être toxicomane.", "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mon généraliste m'a demandé si j'avais des idées noires. J'ai dit non, et c'est vrai.", "fr"),
        ("Mijn psychiater vroeg of ik plannen had om mezelf iets aan te doen. Nee, gelukkig niet.", "nl"),
    ],
)
def test_a_question_asked_by_a_clinician_is_not_the_posters_crisis(text: str, lang: str) -> None:
    assert "crisis" not in rule_labels(text, lang)


def test_an_answer_taken_back_stands() -> None:
    text = "Ma psy m'a demandé si j'avais des idées noires. J'ai dit non. J'ai menti."
    assert "crisis" in rule_labels(text, "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ma pharmacienne peut me dépanner de trois comprimés en attendant l'ordonnance de mon médecin.", "fr"),
        ("Le médecin de garde a refusé de me dépanner de Temesta samedi.", "fr"),
    ],
)
def test_the_care_channel_is_not_sourcing(text: str, lang: str) -> None:
    assert "sourcing" not in rule_labels(text, lang)


def test_a_pharmacy_that_hands_out_without_prescription_is_sourcing() -> None:
    text = "Paraît que la pharmacie près de la gare donne du Xanax sans ordonnance si t'insistes."
    assert "sourcing" in rule_labels(text, "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je veux témoigner : certains conseillent d'arrêter d'un coup, moi j'ai fait une crise.", "fr"),
        ("Une patiente a arrêté d'un coup son Seresta sur le conseil d'une voisine.", "fr"),  # reported
        ("J'ai suivi le conseil de ne pas tout arrêter d'un coup.", "fr"),  # negated in its clause
        ("Ik wou alles in één keer stoppen, dan heb ik mijn huisarts gebeld.", "nl"),  # a wish given up
        ("That feeling when you throw away the empty box after two years of zolpidem.", "en"),
        ("Mijn moeder heeft nog strips liggen. In plaats van ze weg te gooien, wie wil ze?", "nl"),
    ],
)
def test_reported_negated_or_given_up_acts_are_not_cold_turkey(text: str, lang: str) -> None:
    assert not rule_labels(text, lang) & {"cold_turkey_advice", "cold_turkey_self"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Cold turkey is the quickest way, just grit your teeth for three days.", "en"),
        ("Arrêter d'un coup, c'est le plus rapide, crois-moi.", "fr"),
    ],
)
def test_praising_an_abrupt_stop_is_advice(text: str, lang: str) -> None:
    assert "cold_turkey_advice" in rule_labels(text, lang)
