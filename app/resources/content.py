"""Loading the reviewed pages from `content/`: front matter checked, Markdown rendered once.

A page that is malformed (missing date, unknown key, a source without an
address, a language missing) is a bug in the content, caught by the tests and
at start-up, never shown half-rendered to a member.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from app.i18n import LOCALES
from app.i18n_markers import N_
from app.markdown import render_reviewed
from moderation import CATEGORIES as FINDING_CATEGORIES
from moderation.normalize import fold_plain

CONTENT_DIR = Path(__file__).parent / "content"
FRONT_MATTER = "+++"

# Where pages are listed, in this order. "help" comes first: someone who arrives
# in distress should not have to scroll past reading material to find a number.
SECTIONS: dict[str, str] = {
    "help": N_("Help now"),
    "understanding": N_("Understanding the medication and withdrawal"),
    "reducing": N_("Reducing, at your own pace"),
    "alternatives": N_("Sleep, stress and anxiety: other ways"),
    "support": N_("For relatives, friends and professionals"),
    "community": N_("How this forum works"),
}
# Pages in these sections make medical statements: they carry the "talk to your doctor" note.
MEDICAL_SECTIONS = frozenset({"understanding", "reducing", "alternatives"})

PAGE_KEYS = {"title", "summary", "last_reviewed", "sources", "keywords"}
COMPOSER_KEYS = {"title", "hint", "one_per_member"}


class ContentError(Exception):
    """A content file that cannot be published as it is."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Page:
    slug: str
    lang: str
    section: str
    title: str
    summary: str
    last_reviewed: dt.date
    sources: tuple[Source, ...]
    html: str
    body_md: str
    keywords: tuple[str, ...] = ()  # folded, matched as word beginnings
    categories: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()

    @property
    def medical(self) -> bool:
        return self.section in MEDICAL_SECTIONS


@dataclass(frozen=True)
class ComposerTemplate:
    """What the composer of a category starts from, e.g. the gentle introduction."""

    category_slug: str
    lang: str
    title: str
    body: str
    hint: str
    one_per_member: bool = False


@dataclass(frozen=True)
class Library:
    pages: dict[str, tuple[Page, ...]]  # language -> pages in listing order
    composer: dict[tuple[str, str], ComposerTemplate] = field(default_factory=dict)

    def page(self, lang: str, slug: str) -> Page | None:
        return next((page for page in self.pages.get(lang, ()) if page.slug == slug), None)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise ContentError(f"{path}: must start with a '+++' front matter block")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FRONT_MATTER)
    except StopIteration:
        raise ContentError(f"{path}: front matter is not closed by '+++'") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: front matter is not valid TOML: {exc}") from exc
    return meta, "\n".join(lines[end + 1:]).strip() + "\n"


def _text(meta: dict[str, Any], key: str, path: Path) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{path}: '{key}' must be a non-empty string")
    return value.strip()


def _sources(meta: dict[str, Any], path: Path) -> tuple[Source, ...]:
    raw = meta.get("sources")
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{path}: every page names its sources ([[sources]] with title and url)")
    sources = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise ContentError(f"{path}: a source has exactly a title and a url")
        url = str(item["url"]).strip()
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
            raise ContentError(f"{path}: source url {url!r} is not a web address")
        sources.append(Source(title=_text(item, "title", path), url=url))
    return tuple(sources)


def _keywords(meta: dict[str, Any], path: Path) -> tuple[str, ...]:
    raw = meta.get("keywords", [])
    if not isinstance(raw, list) or not all(isinstance(k, str) and k.strip() for k in raw):
        raise ContentError(f"{path}: 'keywords' is a list of words")
    return tuple(dict.fromkeys(fold_plain(k.strip()) for k in raw))


@cache
def _block_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _check_headings(body: str, path: Path) -> None:
    """The page title is the h1; sections start at "##" and never skip a level."""
    level = 1
    for token in _block_parser().parse(body):
        if token.type != "heading_open":
            continue
        new = int(token.tag[1])
        if new == 1:
            raise ContentError(f"{path}: '#' headings are reserved for the page title; start sections with '##'")
        if new > level + 1:
            raise ContentError(f"{path}: heading h{new} skips a level after h{level}")
        level = new


def _unknown_keys(meta: dict[str, Any], allowed: set[str], path: Path) -> None:
    unknown = set(meta) - allowed
    if unknown:
        raise ContentError(f"{path}: unknown front matter keys {sorted(unknown)}")


def load_page(path: Path, *, slug: str, lang: str, entry: dict[str, Any]) -> Page:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    _unknown_keys(meta, PAGE_KEYS, path)
    reviewed = meta.get("last_reviewed")
    if not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime):
        raise ContentError(f"{path}: 'last_reviewed' must be a date (YYYY-MM-DD)")
    _check_headings(body, path)
    return Page(
        slug=slug, lang=lang, section=entry["section"], title=_text(meta, "title", path),
        summary=_text(meta, "summary", path), last_reviewed=reviewed, sources=_sources(meta, path),
        html=render_reviewed(body), body_md=body, keywords=_keywords(meta, path),
        categories=tuple(entry.get("categories", ())), findings=tuple(entry.get("findings", ())),
    )


def load_composer_template(path: Path, *, lang: str) -> ComposerTemplate:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    _unknown_keys(meta, COMPOSER_KEYS, path)
    return ComposerTemplate(
        category_slug=path.stem, lang=lang, title=_text(meta, "title", path), body=body,
        hint=_text(meta, "hint", path), one_per_member=bool(meta.get("one_per_member", False)),
    )


def _index(content_dir: Path) -> list[dict[str, Any]]:
    path = content_dir / "index.toml"
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("page", [])
    seen: set[str] = set()
    for entry in entries:
        slug = entry.get("slug", "")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or slug in seen:
            raise ContentError(f"{path}: slug {slug!r} is missing, malformed or repeated")
        seen.add(slug)
        if entry.get("section") not in SECTIONS:
            raise ContentError(f"{path}: {slug}: unknown section {entry.get('section')!r}")
        unknown = set(entry.get("findings", ())) - set(FINDING_CATEGORIES)
        if unknown:
            raise ContentError(f"{path}: {slug}: unknown finding categories {sorted(unknown)}")
    return list(entries)


def load(content_dir: Path = CONTENT_DIR) -> Library:
    entries = _index(content_dir)
    slugs = {entry["slug"] for entry in entries}
    pages: dict[str, tuple[Page, ...]] = {}
    composer: dict[tuple[str, str], ComposerTemplate] = {}
    for lang in LOCALES:
        lang_dir = content_dir / lang
        extra = {p.stem for p in lang_dir.glob("*.md")} - slugs
        if extra:
            raise ContentError(f"{lang_dir}: pages not listed in index.toml: {sorted(extra)}")
        pages[lang] = tuple(
            load_page(lang_dir / f"{entry['slug']}.md", slug=entry["slug"], lang=lang, entry=entry)
            if (lang_dir / f"{entry['slug']}.md").exists()
            else _missing(lang_dir / f"{entry['slug']}.md")
            for entry in entries
        )
        for path in sorted((lang_dir / "composer").glob("*.md")):
            composer[(lang, path.stem)] = load_composer_template(path, lang=lang)
    categories = {key[1] for key in composer}
    for lang in LOCALES:
        missing = categories - {slug for (code, slug) in composer if code == lang}
        if missing:
            raise ContentError(f"{content_dir / lang / 'composer'}: templates missing: {sorted(missing)}")
    return Library(pages=pages, composer=composer)


def _missing(path: Path) -> Page:
    raise ContentError(f"{path}: missing (every page exists in every language)")


@cache
def library() -> Library:
    """The published content, loaded once per process (it only changes with a deploy)."""
    return load()
