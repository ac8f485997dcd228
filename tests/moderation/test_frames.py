"""Tokens, cue classes and frames: the compositional layer of the engine."""

from __future__ import annotations

import pytest

import moderation
from moderation.cues import annotate, get_index, read_cues
from moderation.features import analyse
from moderation.frames import decisive, load_frames
from moderation.normalize import fold
from moderation.tokens import tokenize


def norms(text: str, lang: str | None = None) -> list[str]:
    return [t.norm for t in tokenize(fold(text).plain, lang)[0]]


def classes(text: str, lang: str) -> set[str]:
    tokens, _ = tokenize(fold(text).plain)
    return {c.cls for c in annotate(tokens, get_index(lang), lang) if not c.negated}


def frames(text: str, lang: str) -> set[str]:
    return {h.frame.id for h in decisive(analyse(fold(text).plain, lang).hits)}


def rule_labels(text: str, lang: str) -> set[str]:
    from moderation.corpus import finding_label

    return {finding_label(f.category, f.about) for f in moderation.check(text, lang, use_model=False)}


def test_sms_and_dialect_spellings_are_written_out() -> None:
    assert norms("jveux plus, chuis KO") == ["je", "veux", "plus", "je", "suis", "ko"]
    assert norms("kheb da ni gedaan", "nl") == ["ik", "heb", "dat", "niet", "gedaan"]
    assert norms("I don't know, im tired", "en") == ["i", "do", "not", "know", "i", "am", "tired"]
    assert norms("0,5 mg") == ["0,5", "mg"]
    assert norms("ich kan neet mie", "nl") == ["ik", "kan", "niet", "meer"]  # Limburgs
    assert norms("dji lès done volti", "fr") == ["je", "les", "donne", "volontiers"]  # Walloon


def test_short_forms_that_are_words_elsewhere_stay_in_their_language() -> None:
    assert norms("ik kan het niet", "nl") == ["ik", "kan", "het", "niet"]  # not French SMS "kan" = "quand"
    assert norms("kan tu viens", "fr") == ["quand", "tu", "viens"]
    assert norms("le livre dont je parle", "fr") == ["le", "livre", "dont", "je", "parle"]  # not "do not"
    assert norms("I'm done", "en") == ["i", "am", "done"]  # Walloon "done" is "donne" in French posts only


def test_cue_entries_read_contractions_as_posts_do() -> None:
    assert "NONEED" in classes("I won't need them where I'm going", "en")  # cue "won t need"
    assert "ABSENCE" in classes("if I'm not here tomorrow", "en")  # cue "if i m not here"


def test_typos_only_for_medication_and_death_words() -> None:
    assert "DEATH" in classes("zellfmoord", "nl")  # one letter too many
    assert "DEATH" not in classes("we gaan doorgaan", "nl")  # "doorgaan" is not "doodgaan"
    assert "INGEST" not in classes("we were talking", "en")  # "talking" is not "taking"
    assert "PRICE" not in classes("mijn neuroloog", "nl")  # not "euro*" with a typo in the first letter


def test_cancel_entries_and_rejected_alternatives() -> None:
    assert "SURPLUS" in classes("heeft iemand nog xanax over?", "nl")
    assert "SURPLUS" not in classes("een vraag over de terugbetaling van mijn xanax", "nl")  # "over de": about
    tokens, _ = tokenize(fold("In plaats van ze weg te gooien kan iemand ze overnemen").plain, "nl")
    cues = annotate(tokens, get_index("nl"), "nl")
    assert any(c.cls == "THROW" and c.negated for c in cues)  # the alternative rejected, not done


def test_decimal_points_do_not_end_a_sentence() -> None:
    tokens, n = tokenize(fold("taking the last 0.125 tonight. Done.").plain)
    assert n == 2 and tokens[3].norm == "0.125" and tokens[3].sent == 0


def test_cues_match_stems_phrases_and_typos() -> None:
    assert {"MED", "SURPLUS"} <= classes("j'ai des comprimés en trop", "fr")
    assert "MED" in classes("des medicamments", "fr")  # one letter too many
    assert "ABRUPT" in classes("van vandaag op morgen", "nl")
    assert "MED" not in classes("je vais cacher ça", "fr")  # a real word one letter away is not a typo


def test_strict_entries_only_count_in_their_language() -> None:
    assert "SURPLUS" in classes("nog wat xanax over", "nl")
    assert "SURPLUS" not in classes("it is over now", "en")


def test_negation_right_before_a_cue_turns_it_off() -> None:
    tokens, _ = tokenize(fold("je ne vais pas tout avaler").plain)
    cues = annotate(tokens, get_index("fr"), "fr")
    assert any(c.cls == "INGEST" and c.negated for c in cues)


def test_every_frame_names_known_classes() -> None:
    known = set(read_cues())
    for frame in load_frames():
        used = {c for part in frame.parts for c, _ in part.classes}
        assert used <= known | {"QUESTION", "IMPERATIVE"}, frame.id


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Ce soir je prends toute la boîte, j'en peux plus.", "fr", "crisis"),
        ("vanavond neem ik ze allemaal, ik kan niet meer", "nl", "crisis"),
        ("I've been saving my pills for weeks, I counted them tonight, it's enough.", "en", "crisis"),
        ("Si je suis plus là demain, prenez soin de vous.", "fr", "crisis"),
        ("ik heb een brief geschreven voor elk van mijn kinderen en mijn testament geregeld", "nl", "crisis"),
        ("J'ai 3 boîtes de Temesta en trop, MP si intéressé.", "fr", "sourcing"),
        ("wie heeft er een paar xanax voor het weekend? ik betaal goed", "nl", "sourcing"),
        ("Anyone know a doc in Brussels who prescribes anything, no questions asked?", "en", "sourcing"),
        ("Gooi die pillen gewoon in de vuilbak, na een week zijt ge vrij.", "nl", "cold_turkey_advice"),
        ("Just bin them tonight, three days of hell and you're free.", "en", "cold_turkey_advice"),
        ("Remplace ton Xanax par de la valériane dès ce soir.", "fr", "cold_turkey_advice"),
        ("Tout jeté ce matin, zolpidem et lorazepam. Jour 1.", "fr", "cold_turkey_self"),
        ("vanaf morgen neem ik geen enkele pil meer, ik stop ermee", "nl", "cold_turkey_self"),
        ("Mon père est parti ce midi avec ses comprimés, il parlait de rejoindre maman.", "fr", "crisis"),
        ("Als iemand dit morgen leest: verwittig mijn zus, de sleutel ligt bij de buren.", "nl", "crisis"),
        ("kzit op de brug bij het station, al een uur", "nl", "crisis"),
        ("je me suis encore coupée hier soir, au moins je sens quelque chose", "fr", "crisis"),
        ("Iemand die me kan helpen met een paar witte voor het weekend? Mijn apotheek is dicht.", "nl", "sourcing"),
        ("My dad has loads of diazepam he doesn't take, I could share if anyone's stuck.", "en", "sourcing"),
        ("Cold turkey is the fastest way, just push through the first three days.", "en", "cold_turkey_advice"),
    ],
)
def test_frames_find_what_no_phrase_list_foresaw(text: str, lang: str, label: str) -> None:
    assert label in rule_labels(text, lang), (frames(text, lang), classes(text, lang))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ce sevrage me tue, trois semaines sans dormir.", "fr"),
        ("Il y a trois ans j'avais écrit des lettres d'adieu. Aujourd'hui je vais mieux, merci à vous.", "fr"),
        ("Je pars trois semaines en vacances sans wifi, au revoir et courage à tous !", "fr"),
        ("Mijn vriendin praat over zelfmoord, hoe kan ik haar helpen?", "nl"),
        ("I brought my leftover pills back to the pharmacy.", "en"),
        ("Warning: never buy Xanax online, they are fake pills.", "en"),
        ("Mijn huisarts schreef Temesta voor, ik neem 1 mg per avond.", "nl"),
        ("Surtout n'arrête pas d'un coup, parles-en à ton médecin.", "fr"),
        ("Can we stop telling newbies to 'just stop'? Slow taper, always.", "en"),
        ("Dernier quart de comprimé ce soir après 14 mois de diminution avec mon médecin.", "fr"),
        ("Je cherche un médecin à Namur qui accompagne un sevrage lent, écrivez-moi.", "fr"),
        ("Mijn apotheek geeft maar één doos tegelijk mee, ook met een voorschrift voor drie maanden.", "nl"),
        ("Drop by on Thursday evening, the support group meets at the library.", "en"),
        ("Ik zeg het altijd tegen mijn patiënten: bouw rustig af met uw huisarts.", "nl"),
    ],
)
def test_hard_negatives_stay_quiet(text: str, lang: str) -> None:
    assert rule_labels(text, lang) <= {"personal_data"}, frames(text, lang)


def test_frame_findings_point_into_the_original_text() -> None:
    text = "Bon. Ce soir je prends TOUTE la boîte de Témesta, c'est décidé."
    found = [f for f in moderation.check(text, "fr", use_model=False) if f.rule.startswith("frame.")]
    assert found
    for f in found:
        assert text[f.start : f.end] == f.match and f.source == "rule" and f.explanation


def test_counting_years_of_one_pill_in_an_own_stop_is_not_a_crisis() -> None:
    labels = rule_labels(
        "Ik heb 4 jaar elke avond 1 pil genomen, maar vanaf nu stop ik ineens, ik ben sterk genoeg.", "nl"
    )
    assert "crisis" not in labels and "cold_turkey_self" in labels
