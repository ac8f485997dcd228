"""Versioned documents: the members' consent text and the researchers' data-use terms.

They are data files (``texts/consent-vN.toml``, ``texts/terms-vN.toml``), not
gettext strings: a published version must never change under the people who
agreed to it, and a catalog update would change it silently. Each answer
records the version and the SHA-256 of the text shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TEXTS_DIR = Path(__file__).parent / "texts"
LANGS = ("fr", "nl", "en")


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Document:
    kind: str  # "consent" or "terms"
    version: int
    published: dt.date
    material: bool
    titles: dict[str, str]
    sections: dict[str, tuple[Section, ...]]

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["en"]

    def body(self, lang: str) -> tuple[Section, ...]:
        return self.sections.get(lang) or self.sections["en"]

    def sha256(self, lang: str) -> str:
        plain = self.title(lang) + "\n" + "\n".join(f"{s.heading}\n{s.text}" for s in self.body(lang))
        return hashlib.sha256(plain.encode()).hexdigest()


def _load(path: Path, kind: str) -> Document:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return Document(
        kind=kind,
        version=int(raw["version"]),
        published=raw["published"],
        material=bool(raw.get("material", True)),
        titles={lang: raw[lang]["title"] for lang in LANGS},
        sections={lang: tuple(Section(s["heading"], s["text"]) for s in raw[lang]["sections"]) for lang in LANGS},
    )


@cache
def documents(kind: str) -> dict[int, Document]:
    """Every published version of a document, by version number."""
    found: dict[int, Document] = {}
    for path in TEXTS_DIR.glob(f"{kind}-v*.toml"):
        match = re.fullmatch(rf"{kind}-v(\d+)\.toml", path.name)
        if match:
            document = _load(path, kind)
            if document.version != int(match.group(1)):
                raise ValueError(f"{path.name} says version {document.version}")
            found[document.version] = document
    if not found:
        raise FileNotFoundError(f"no {kind} text in {TEXTS_DIR}")
    return found


def current(kind: str) -> Document:
    versions = documents(kind)
    return versions[max(versions)]


def oldest_valid_version(kind: str) -> int:
    """Answers under versions before this one no longer count (a later version changed what they cover)."""
    versions = documents(kind)
    material = [v for v, d in versions.items() if d.material]
    return max(material) if material else min(versions)
