"""Engine invariants, the public API and the lexicon files themselves."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import moderation
from moderation import CATEGORIES, LANGUAGES, Finding, load_lexicon
from moderation.normalize import fold


def test_public_api() -> None:
    assert CATEGORIES == ("stigma", "cold_turkey_advice", "crisis", "sourcing", "personal_data")
    [f] = moderation.check("Ces toxicomanes", "fr")
    assert isinstance(f, Finding)
    assert f.to_dict()["rule"] == f.rule == "fr.stigma.toxicomanes"
    assert f.suggestions and f.explanation and f.severity in moderation.SEVERITIES
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]  # frozen
    with pytest.raises(ValueError):
        moderation.check("x", "de")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lexicon_entries_are_complete(lang: str) -> None:
    lexicon = load_lexicon(lang)
    assert lexicon.lang == lang
    for entry in lexicon.entries:
        assert entry.id.startswith(f"{lang}.{entry.category}.")
        assert entry.patterns and entry.explanation and entry.source
        if entry.category == "stigma":
            assert entry.suggestions


@pytest.mark.parametrize(("lang", "stigma", "crisis"), [("fr", 40, 20), ("nl", 40, 20), ("en", 15, 10)])
def test_lexicon_coverage(lang: str, stigma: int, crisis: int) -> None:
    counts = Counter(e.category for e in load_lexicon(lang).entries)
    assert counts["stigma"] >= stigma and counts["crisis"] >= crisis
    assert counts["cold_turkey_advice"] >= 4 and counts["sourcing"] >= 4


@pytest.mark.parametrize("lang", LANGUAGES)
def test_our_own_wording_is_not_flagged(lang: str) -> None:
    """Suggestions and explanations never use the words they warn against."""
    for entry in load_lexicon(lang).entries:
        # Crisis explanations must name suicide to point to the helplines.
        ignored = {"personal_data", "crisis"} if entry.category == "crisis" else {"personal_data"}
        for text in (*entry.suggestions, entry.explanation):
            flagged = [f for f in moderation.check(text, lang, use_model=False) if f.category not in ignored]
            assert not flagged, (entry.id, text, flagged)


def test_case_accents_and_compounds() -> None:
    for text in ("TOXICOMANE", "Toxicomane", "toxicomane", "droguée", "DROGUÉE"):
        assert [f.category for f in moderation.check(text, "fr")] == ["stigma"], text
    for text in ("benzoverslaafde", "benzo-verslaafde", "benzo verslaafde", "Benzo-Verslaafden"):
        assert [f.category for f in moderation.check(text, "nl")] == ["stigma"], text


def test_word_boundaries() -> None:
    assert moderation.check("la toxicomanie et la dépendance physique", "fr", use_model=False) == []
    assert moderation.check("addiction, addictive, addicted", "en", use_model=False) == []
    assert moderation.check("junk food and junk mail", "en", use_model=False) == []


def test_offsets_survive_decomposed_accents_and_emoji() -> None:
    text = unicodedata.normalize("NFD", "Les drogués 😔 et les cœurs brisés, toxicos") + " ﬁn"
    findings = moderation.check(text, "fr")
    assert [f.rule for f in findings] == ["fr.stigma.drogues", "fr.stigma.toxicos"]
    for f in findings:
        assert text[f.start : f.end] == f.match


def test_fold_keeps_an_offset_map() -> None:
    folded = fold("Œuvre ß é")
    assert folded.plain == "oeuvre ss e"
    assert folded.span(0, 6) == (0, 5)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "toxico",
                "junkie",
                " ",
                "É",
                "ﬁ",
                "ß",
                "œ",
                "😀",
                "\u0301",
                "je veux mourir",
                "\n> ",
                "0470 12 34 56",
                "«",
                "»",
                "verslaafde",
                "addict",
                "'",
                "’",
                "a",
                "\u200b",
            ]
        ),
        max_size=25,
    ).map("".join),
    st.sampled_from(LANGUAGES),
)
def test_offsets_always_index_the_original_text(text: str, lang: str) -> None:
    for f in moderation.check(text, lang):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.match


def test_findings_are_ordered_and_not_duplicated() -> None:
    text = "Les toxicos, les toxicos. Je veux mourir. junkie"
    findings = moderation.check(text, "fr")
    assert findings == sorted(findings, key=lambda f: (f.start, CATEGORIES.index(f.category)))
    spans = [(f.category, f.start) for f in findings]
    assert len(spans) == len(set(spans))
