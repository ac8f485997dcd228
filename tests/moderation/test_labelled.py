"""Precision and recall on the hand-labelled posts (tune + held-out splits)."""

from __future__ import annotations

import pytest

import moderation
from moderation import CATEGORIES

from .labelled import SPLITS, load, score, table

MIN_RECALL = 0.9
MIN_PRECISION = 0.85


@pytest.fixture(scope="module")
def examples() -> list:
    return [ex for split in SPLITS for ex in load(split)]


def test_labelled_set_is_large_and_varied(examples: list) -> None:
    assert len(examples) >= 300
    for lang in moderation.LANGUAGES:
        langs = [ex for ex in examples if ex.lang == lang]
        assert len(langs) >= 60
        assert sum(1 for ex in langs if not ex.labels) >= 20  # hard negatives


def test_precision_and_recall_per_category(examples: list) -> None:
    for split in SPLITS:
        scores, errors = score([ex for ex in examples if ex.split == split], moderation.check)
        print(f"\n== {split} split\n{table(scores)}")
        print("\n".join(errors) or "(no errors)")
    scores, errors = score(examples, moderation.check)
    print(f"\n== all labelled posts\n{table(scores)}")
    for category in CATEGORIES:
        s = scores[(category, "all")]
        assert s.recall >= MIN_RECALL, (category, s, errors)
        assert s.precision >= MIN_PRECISION, (category, s, errors)


def test_all_lexicons_beat_primary_only_on_mixed_posts(examples: list) -> None:
    """Evidence for running all three lexicons on every post (members mix languages)."""
    everything = score(examples, lambda text, lang: moderation.check(text, lang, use_model=False))[0]
    primary = score(examples, lambda text, lang: moderation.check(text, lang, languages=[lang], use_model=False))[0]
    print("\n== primary-language lexicon only\n" + table(primary))
    tp_all = sum(everything[(c, "all")].tp for c in CATEGORIES)
    fp_all = sum(everything[(c, "all")].fp for c in CATEGORIES)
    tp_primary = sum(primary[(c, "all")].tp for c in CATEGORIES)
    fp_primary = sum(primary[(c, "all")].fp for c in CATEGORIES)
    assert tp_all > tp_primary
    assert fp_all <= fp_primary + 1
