"""What other domains ask of the resources: pages, category links, suggestions, composer templates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from app.errors import NotFound
from app.resources.content import SECTIONS, ComposerTemplate, Page, library
from moderation.normalize import fold_plain

MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # msgid
    pages: tuple[Page, ...]


def list_pages(lang: str) -> tuple[Page, ...]:
    return library().pages.get(lang, ())


def list_sections(lang: str) -> list[Section]:
    pages = list_pages(lang)
    sections = [Section(id=key, title=title, pages=tuple(p for p in pages if p.section == key))
                for key, title in SECTIONS.items()]
    return [section for section in sections if section.pages]


def get_page(lang: str, slug: str) -> Page | None:
    return library().page(lang, slug)


def access_page(lang: str, slug: str) -> Page:
    page = get_page(lang, slug)
    if page is None:
        raise NotFound()
    return page


def pages_for_category(lang: str, category_slug: str) -> list[Page]:
    return [page for page in list_pages(lang) if category_slug in page.categories]


def pages_by_slugs(lang: str, slugs: Iterable[str]) -> list[Page]:
    """Known pages among `slugs` (e.g. from a query string), in the order given, without repeats."""
    found = (get_page(lang, slug) for slug in dict.fromkeys(s.strip() for s in slugs))
    return [page for page in found if page is not None]


@cache
def _keyword_pattern(lang: str, slug: str) -> re.Pattern[str] | None:
    page = get_page(lang, slug)
    if page is None or not page.keywords:
        return None
    # Keywords are word beginnings: "symptom" finds "symptômes", "slaap" finds "slaapproblemen".
    alternatives = "|".join(re.escape(k) for k in sorted(page.keywords, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})")


def _keyword_hits(text_lang: str, slug: str, folded: str) -> int:
    pattern = _keyword_pattern(text_lang, slug)
    return len(set(pattern.findall(folded))) if pattern is not None else 0


def suggest(*, lang: str, text: str, text_lang: str, categories: Iterable[str] = ()) -> list[Page]:
    """Pages worth offering to someone who wrote `text` (in `text_lang`), shown in `lang`.

    Finding categories from the moderation engine come first (advice to stop
    abruptly points to gradual reduction, a crisis to the help lines), then
    pages whose keywords the text uses most. Never more than three: a
    suggestion, not a reading list.
    """
    found = set(categories)
    chosen = [page for page in list_pages(lang) if found & set(page.findings)]
    taken = {page.slug for page in chosen}
    folded = fold_plain(text)
    scored = []
    for position, page in enumerate(list_pages(lang)):
        hits = _keyword_hits(text_lang, page.slug, folded) if page.slug not in taken else 0
        if hits:
            scored.append((-hits, position, page))
    chosen += [page for _hits, _position, page in sorted(scored, key=lambda item: item[:2])]
    return chosen[:MAX_SUGGESTIONS]


def composer_template(category_slug: str, lang: str) -> ComposerTemplate | None:
    return library().composer.get((lang, category_slug))


def fill_template(template: ComposerTemplate, *, pseudonym: str) -> dict[str, str]:
    """The composer's starting title and body, with the member's pseudonym in place."""
    return {"title": template.title.replace("{pseudonym}", pseudonym), "body": template.body}
