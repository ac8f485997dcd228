"""`python -m moderation evaluate FILE.jsonl ...`: post-level precision and recall on a labelled set.

For first-sight scoring of a blind set (EVALUATION.md): run it once, on a set
the engine has never seen, before anything is tuned on it. A post counts as
found for a label when any finding carries that label (``cold_turkey_self``:
a ``cold_turkey_advice`` finding with ``about == "self"``). Prints a Markdown
table, ready to paste.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import moderation
from moderation.corpus import LABELS, Example, finding_label, read_jsonl
from moderation.types import LANGUAGES


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def cell(self) -> str:
        if self.tp + self.fp + self.fn == 0:
            return "–"
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return f"{p:.2f} / {r:.2f} ({self.tp + self.fn})"


def score(examples: list[Example], *, use_model: bool = True) -> dict[tuple[str, str], Count]:
    counts: dict[tuple[str, str], Count] = {}
    for ex in examples:
        found = {finding_label(f.category, f.about) for f in moderation.check(ex.text, ex.lang, use_model=use_model)}
        for label in LABELS:
            for lang in (ex.lang, "all"):
                c = counts.setdefault((label, lang), Count())
                if label in found and label in ex.labels:
                    c.tp += 1
                elif label in found:
                    c.fp += 1
                elif label in ex.labels:
                    c.fn += 1
    return counts


def table(counts: dict[tuple[str, str], Count]) -> str:
    langs = (*LANGUAGES, "all")
    lines = ["| label | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
    for label in LABELS:
        lines.append(f"| {label} | " + " | ".join(counts.get((label, lang), Count()).cell() for lang in langs) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation evaluate", description=__doc__)
    parser.add_argument("files", type=Path, nargs="+", help="JSONL files of labelled posts")
    parser.add_argument("--rules-only", action="store_true", help="leave the learned layer out")
    args = parser.parse_args(argv)
    examples = [ex for path in args.files for ex in read_jsonl(path)]
    print(f"{len(examples)} posts; cells: precision / recall (posts with the label)", file=sys.stderr)
    print(table(score(examples, use_model=not args.rules_only)))
    return 0
