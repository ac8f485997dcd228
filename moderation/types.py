"""The data the engine hands out: findings, lexicon entries, lexicons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "stigma",
    "cold_turkey_advice",
    "crisis",
    "sourcing",
    "personal_data",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
LANGUAGES: tuple[str, ...] = ("fr", "nl", "en")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the engine noticed, with offsets into the original text."""

    category: str
    start: int
    end: int
    match: str
    suggestions: tuple[str, ...]
    rule: str
    severity: str = "medium"
    explanation: str = ""
    lang: str = ""
    # "rule" (a lexicon entry or a frame: it has words to point at) or "model"
    # (the learned layer's calibrated probability, in `score`).
    source: str = "rule"
    score: float | None = None
    # cold_turkey_advice only: "others" (advice: a public info box) or "self"
    # (the poster's own abrupt stop: a private, kind notice).
    about: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "suggestions": list(self.suggestions),
            "rule": self.rule,
            "severity": self.severity,
            "explanation": self.explanation,
            "lang": self.lang,
            "source": self.source,
            "score": None if self.score is None else round(self.score, 3),
            "about": self.about,
        }


@dataclass(frozen=True, slots=True)
class Entry:
    """One reviewed lexicon entry, as moderators wrote it."""

    id: str
    category: str
    patterns: tuple[str, ...]
    suggestions: tuple[str, ...]
    explanation: str
    severity: str
    lang: str
    source: str = ""
    examples: tuple[str, ...] = ()
    # Context rules that can suppress a match (see moderation/context.py).
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    lang: str
    entries: tuple[Entry, ...]
    macros: dict[str, str] = field(default_factory=dict)
    # Shared explanation texts by key ("crisis", "cold_turkey_self", ...), for frames and the model.
    explanations: dict[str, str] = field(default_factory=dict)

    def by_category(self, category: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.category == category)

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)
