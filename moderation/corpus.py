"""The labelled posts the learned layer is trained on.

Corpus files are JSON lines ``{"id", "lang", "text", "labels", ...}`` in
``moderation/data/``. Labels are finding categories plus ``cold_turkey_self``
(a member announcing their own abrupt stop; the engine reports it as a
``cold_turkey_advice`` finding with ``about == "self"``).

Each post keeps the file it came from (``source``): training holds whole files
out (``train.writer_folds``), so every post is scored by a model that never saw its writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from moderation.types import CATEGORIES, LANGUAGES

DATA_DIR = Path(__file__).parent / "data"
LABELS: tuple[str, ...] = ("crisis", "sourcing", "cold_turkey_advice", "cold_turkey_self", "stigma", "personal_data")


class CorpusError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    lang: str
    text: str
    labels: frozenset[str]
    source: str = ""
    # The labels someone gave a verdict on (a moderator judges the flagged
    # categories only); None: every label (a corpus post is labelled in full).
    known: frozenset[str] | None = None

    def knows(self, label: str) -> bool:
        return self.known is None or label in self.known




def finding_label(category: str, about: str) -> str:
    """The corpus label a finding stands for."""
    if category == "cold_turkey_advice" and about == "self":
        return "cold_turkey_self"
    return category


def read_jsonl(path: Path) -> list[Example]:
    examples: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                labels = frozenset(raw.get("labels") or ())
                post_id, lang, text = str(raw["id"]), str(raw["lang"]), str(raw["text"])
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path.name}:{number}: {exc}") from exc
            if lang not in LANGUAGES or not labels <= set(LABELS):
                raise CorpusError(f"{path.name}:{number}: bad lang or labels ({lang}, {sorted(labels)})")
            examples.append(Example(post_id, lang, text, labels, path.stem))
    return examples


def load(paths: Iterable[Path] | None = None) -> list[Example]:
    """Every labelled post; duplicate ids are an error (they would leak across the split)."""
    files = sorted(DATA_DIR.glob("*.jsonl")) if paths is None else list(paths)
    examples = [ex for path in files for ex in read_jsonl(path)]
    seen: set[str] = set()
    for ex in examples:
        if ex.id in seen:
            raise CorpusError(f"duplicate post id {ex.id!r}")
        seen.add(ex.id)
    return examples


assert set(LABELS) - {"cold_turkey_self"} == set(CATEGORIES)
