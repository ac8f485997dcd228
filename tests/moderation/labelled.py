"""Loading the hand-labelled posts and scoring the engine on them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import moderation
from moderation import CATEGORIES, LANGUAGES, Finding
from moderation.corpus import finding_label

DATA = Path(__file__).parent / "data"
SPLITS = ("tune", "holdout", "fresh")


@dataclass(frozen=True)
class Example:
    split: str
    line: int
    lang: str
    labels: frozenset[str]
    text: str


def load(split: str) -> list[Example]:
    examples = []
    path = DATA / f"labelled_{split}.txt"
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        lang, labels, text = raw.split("|", 2)
        found = frozenset() if labels == "-" else frozenset(labels.split(","))
        assert lang in LANGUAGES and found <= set(CATEGORIES), f"{path.name}:{number}"
        examples.append(Example(split, number, lang, found, text))
    return examples


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(
    examples: Iterable[Example], checker: Callable[[str, str], list[Finding]]
) -> tuple[dict[tuple[str, str], Score], list[str]]:
    """Post-level scores per (category, language), and a list of the errors."""
    scores: dict[tuple[str, str], Score] = {}
    errors: list[str] = []
    for ex in examples:
        predicted = {f.category for f in checker(ex.text, ex.lang)}
        for category in CATEGORIES:
            for key in ((category, ex.lang), (category, "all")):
                s = scores.setdefault(key, Score())
                if category in ex.labels and category in predicted:
                    s.tp += 1
                elif category in predicted:
                    s.fp += 1
                elif category in ex.labels:
                    s.fn += 1
        if predicted != set(ex.labels):
            errors.append(
                f"{ex.split}:{ex.line} {ex.lang} want={sorted(ex.labels)} got={sorted(predicted)} | {ex.text}"
            )
    return scores, errors


def table(scores: dict[tuple[str, str], Score]) -> str:
    rows = [f"{'category':<20}{'lang':<6}{'P':>7}{'R':>7}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for category in CATEGORIES:
        for lang in (*LANGUAGES, "all"):
            s = scores.get((category, lang))
            if s is None or s.tp + s.fp + s.fn == 0:
                continue
            rows.append(f"{category:<20}{lang:<6}{s.precision:>7.2f}{s.recall:>7.2f}{s.tp:>5}{s.fp:>5}{s.fn:>5}")
    return "\n".join(rows)


def rule_labels(text: str, lang: str) -> set[str]:
    """The labels the rules alone (no learned layer) give a post, as the labelled sets name them."""
    return {finding_label(f.category, f.about) for f in moderation.check(text, lang, use_model=False)}
