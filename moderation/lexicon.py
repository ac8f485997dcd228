"""Loading and validating the lexicon files (moderation/lexicons/*.toml)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from moderation.context import DEFAULT_RULES, RULES
from moderation.patterns import compile_pattern
from moderation.types import CATEGORIES, LANGUAGES, SEVERITIES, Entry, Lexicon

LEXICON_DIR = Path(__file__).parent / "lexicons"
_COMMON = "common.toml"


class LexiconError(ValueError):
    pass


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def common_macros() -> dict[str, str]:
    data = _read(LEXICON_DIR / _COMMON)
    return dict(data.get("macros", {}))


def _entry(raw: dict[str, Any], lang: str, explanations: dict[str, str], where: str) -> Entry:
    for key in ("id", "category", "patterns", "suggestions", "explanation", "severity"):
        if key not in raw:
            raise LexiconError(f"{where}: missing {key!r}")
    if raw["category"] not in CATEGORIES:
        raise LexiconError(f"{where}: unknown category {raw['category']!r}")
    if raw["severity"] not in SEVERITIES:
        raise LexiconError(f"{where}: unknown severity {raw['severity']!r}")
    explanation = str(raw["explanation"])
    if explanation.startswith("@"):
        # Shared explanations keep the file short; the entry still exposes the full text.
        key = explanation[1:]
        if key not in explanations:
            raise LexiconError(f"{where}: unknown explanation {explanation!r}")
        explanation = explanations[key]
    context = tuple(raw.get("context", DEFAULT_RULES[raw["category"]]))
    unknown = [rule for rule in context if rule not in RULES]
    if unknown:
        raise LexiconError(f"{where}: unknown context rules {unknown}")
    patterns = tuple(raw["patterns"])
    suggestions = tuple(raw["suggestions"])
    if not patterns or (raw["category"] == "stigma" and not suggestions):
        raise LexiconError(f"{where}: needs patterns and, for stigma, suggestions")
    return Entry(
        id=str(raw["id"]),
        category=str(raw["category"]),
        patterns=patterns,
        suggestions=suggestions,
        explanation=explanation,
        severity=str(raw["severity"]),
        lang=lang,
        source=str(raw.get("source", "")),
        examples=tuple(raw.get("examples", ())),
        context=context,
    )


@lru_cache(maxsize=8)
def load_lexicon(lang: str) -> Lexicon:
    """Load and validate one language's lexicon (cached: files are read once)."""
    if lang not in LANGUAGES:
        raise LexiconError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    data = _read(LEXICON_DIR / f"{lang}.toml")
    macros = {**common_macros(), **data.get("macros", {})}
    explanations = {k: str(v) for k, v in data.get("explanations", {}).items()}
    entries: list[Entry] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("entry", [])):
        entry = _entry(raw, lang, explanations, f"{lang}.toml entry #{n + 1}")
        if entry.id in seen:
            raise LexiconError(f"{lang}.toml: duplicate id {entry.id!r}")
        seen.add(entry.id)
        for pattern in entry.patterns:
            compile_pattern(pattern, macros)  # fail at load time, not on a member's post
        entries.append(entry)
    return Lexicon(lang=lang, entries=tuple(entries), macros=macros, explanations=explanations)


def make_entry(raw: dict[str, Any], lang: str, explanations: dict[str, str], where: str) -> Entry:
    """One entry validated as the files' entries are (for entries kept outside the files, see overlay.py)."""
    return _entry(raw, lang, explanations, where)
