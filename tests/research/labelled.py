"""The labelled anonymisation set (data/anonymisation_set.txt) and its scoring.

An identifier counts as found when detected spans cover every one of its
non-space characters, whatever placeholder type they carry (a name caught as
[MEMBER] is still gone). A medication counts as redacted when any span
touches it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from app.research.anonymise.spans import Span

DATA = Path(__file__).parent / "data" / "anonymisation_set.txt"
HELD_OUT = Path(__file__).parent / "data" / "anonymisation_heldout.txt"
MARK = re.compile(r"\{\{([A-Z_]+):(.+?)\}\}", re.DOTALL)
DIRECT = ("EMAIL", "PHONE", "NATIONAL_ID", "IBAN", "URL", "MEMBER")
NAMES_AND_ADDRESSES = ("PERSON", "ADDRESS")


@dataclass
class Entity:
    kind: str
    start: int
    end: int
    text: str


@dataclass
class Post:
    id: str
    lang: str
    text: str
    entities: list[Entity] = field(default_factory=list)


def _parse_post(post_id: str, lang: str, marked: str) -> Post:
    text, entities, position = [], [], 0
    for match in MARK.finditer(marked):
        text.append(marked[position:match.start()])
        start = sum(len(part) for part in text)
        text.append(match.group(2))
        entities.append(Entity(match.group(1), start, start + len(match.group(2)), match.group(2)))
        position = match.end()
    text.append(marked[position:])
    return Post(post_id, lang, "".join(text), entities)


def load(path: Path = DATA) -> tuple[list[str], list[Post]]:
    members: list[str] = []
    posts: list[Post] = []
    header: tuple[str, str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if header is not None:
            posts.append(_parse_post(header[0], header[1], "\n".join(lines).strip("\n")))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and header is None:
            continue
        if line.startswith("members:"):
            members = line.split(":", 1)[1].split()
        elif line.startswith("--- "):
            flush()
            _dashes, post_id, lang = line.split()
            header, lines = (post_id, lang), []
        else:
            lines.append(line)
    flush()
    return members, posts


@dataclass
class Score:
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    redacted_medications: list[tuple[str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, kinds: tuple[str, ...]) -> float:
        total = sum(self.total[k] for k in kinds)
        return sum(self.found[k] for k in kinds) / total if total else 1.0


def score(posts: list[Post], spans_per_post: list[list[Span]]) -> Score:
    result = Score()
    for post, spans in zip(posts, spans_per_post, strict=True):
        covered = set()
        for span in spans:
            covered.update(range(span.start, span.end))
        for entity in post.entities:
            if entity.kind == "MED":
                if any(span.start < entity.end and entity.start < span.end for span in spans):
                    result.redacted_medications.append((post.id, entity.text))
                continue
            result.total[entity.kind] += 1
            needed = {i for i in range(entity.start, entity.end) if not post.text[i].isspace()}
            if needed <= covered:
                result.found[entity.kind] += 1
            else:
                result.misses.append((post.id, entity.kind, entity.text))
        labelled = [e for e in post.entities if e.kind != "MED"]
        for span in spans:
            if not any(span.start < e.end and e.start < span.end for e in labelled):
                result.false_positives.append((post.id, span.label.value, post.text[span.start:span.end]))
    return result
