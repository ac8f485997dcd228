"""Locales, gettext catalogs and locale-aware formatting.

Catalogs are the .po files under app/locales; they are compiled in memory at
start-up (no build step, no stale .mo files). The request's locale lives in a
context variable so services and error handlers translate without threading it
through every call.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.dates import get_datetime_format
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations

from app.i18n_markers import N_

LOCALES: tuple[str, ...] = ("fr", "nl", "en")
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}
# Belgian conventions for dates and numbers in every language.
BABEL_LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_BE"}
# Numbers: Babel's Belgian English writes "1,5" as French does, while English readers (and the diary's
# English forms, diary.forms.form_number) write "1.5" (QA: "Lormetazepam 1 mg → 1,5 mg" on English pages).
NUMBER_LOCALES = {**BABEL_LOCALES, "en": "en"}
LOCALES_DIR = Path(__file__).parent / "locales"

_current_locale: ContextVar[str] = ContextVar("locale", default="fr")

__all__ = ["N_", "LOCALES", "get_locale", "set_locale", "gettext", "ngettext", "negotiate", "translations",
           "using_locale"]


# French sets a narrow no-break space (U+202F) before : ; ! ? and inside « », so that
# a colon or a quotation mark never wraps alone onto the next line. Only where the
# mark ends a phrase: "https://", "3:00" or "?q=" are left alone.
_FR_BEFORE_PUNCT = re.compile(r"(?<=[\w)\]»%…’'\"”])[ \u00a0\u202f]?([;:!?])(?=[\s\u00a0\u202f»)\]<]|$)")
_FR_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_FR_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
# Dutch and English use curly double quotes, never guillemets.
_GUILLEMETS = re.compile(r"«[ \u00a0\u202f]*(.*?)[ \u00a0\u202f]*»", re.DOTALL)
QUOTES = {"fr": ("«\u202f", "\u202f»"), "nl": ("“", "”"), "en": ("“", "”")}


def typeset(text: str, locale: str) -> str:
    """A text's punctuation as its language sets it; the one place this is done.

    Every catalog string passes through here when the catalogs are loaded; texts
    from other data (the wording guidelines) pass through the `typeset` filter.
    """
    if not text:
        return text
    if locale == "fr":
        text = _FR_OPEN_QUOTE.sub("«\u202f", text)
        text = _FR_CLOSE_QUOTE.sub("\u202f»", text)
        return _FR_BEFORE_PUNCT.sub("\u202f\\1", text)
    return _GUILLEMETS.sub("“\\1”", text)


def quote(text: str, locale: str) -> str:
    """`text` between the language's quotation marks."""
    opening, closing = QUOTES.get(locale, QUOTES["en"])
    return f"{opening}{text}{closing}"


def _typeset_catalog(catalog: Catalog, locale: str) -> None:
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(typeset(s, locale) for s in message.string)
        else:
            message.string = typeset(message.string, locale)


@cache
def translations(locale: str) -> NullTranslations:
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    _typeset_catalog(catalog, locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def get_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    _current_locale.set(locale)


def gettext(message: str, **params: object) -> str:
    text = translations(get_locale()).gettext(message)
    return text % local_counts(params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    return text % local_counts({"num": n, **params})


_ = gettext


def _preferred_tags(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 and bad weights dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag.strip() and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _quality, _position, tag in sorted(weighted)]


def negotiate(accept_language: str | None) -> str | None:
    """The best supported locale for an Accept-Language header (Babel's negotiation), or None."""
    if not accept_language:
        return None
    found = Locale.negotiate(_preferred_tags(accept_language), LOCALES, sep="-")
    return found.language if found is not None else None


# Babel parses the locale's pattern on every call; a thread page formats 50 timestamps,
# and the same posts are shown again and again, so the results are worth keeping.
@lru_cache(maxsize=20000)
def format_date(value: dt.date | dt.datetime, locale: str, fmt: str = "medium") -> str:
    return _format_date(value, format=fmt, locale=BABEL_LOCALES[locale])


@lru_cache(maxsize=20000)
def format_datetime(value: dt.datetime, locale: str, fmt: str = "medium") -> str:
    return _format_datetime(value, format=fmt, locale=BABEL_LOCALES[locale], tzinfo=BRUSSELS)


@lru_cache(maxsize=2000)
def format_day_and_time(value: dt.datetime, locale: str) -> str:
    """"7 décembre 2026 à 14:21": the long date and the minute, in Belgian time.

    Babel's "long" date-time ends with the seconds and a raw UTC offset
    ("14:21:03 +0100"), which tells a reader nothing; the locale's own pattern
    joins the long date and the short time instead.
    """
    babel_locale, local = BABEL_LOCALES[locale], value.astimezone(BRUSSELS)
    return (str(get_datetime_format("long", locale=babel_locale)).replace("'", "")
            .replace("{0}", _format_time(local, "short", locale=babel_locale))
            .replace("{1}", _format_date(local, "long", locale=babel_locale)))


def format_number(value: float, locale: str) -> str:
    return _format_decimal(value, locale=NUMBER_LOCALES[locale])


@lru_cache(maxsize=4096)
def format_count(value: int, locale: str) -> str:
    """A whole number with the digit groups of the reader's language, as Babel writes them: "100 000" in French
    (a narrow no-break space, U+202F, so it never wraps), "100.000" in Dutch, "100,000" in English."""
    return _format_decimal(value, locale=NUMBER_LOCALES[locale])


class LocalCount(int):
    """A whole number in a message (a limit, a count), grouped as the reader's language groups digits when the
    message is translated: "at most 100 000 characters", never "100000"."""

    def __str__(self) -> str:
        return format_count(int(self), get_locale())


def local_counts(params: Mapping[str, object]) -> dict[str, object]:
    """A message's parameters with each plain whole number grouped (see LocalCount). Only exact ints: a bool,
    an enum or a LocalNumber (a dose, written without grouping) is left as it is; a year is passed as text."""
    return {key: LocalCount(value) if type(value) is int else value for key, value in params.items()}


class LocalNumber(float):
    """A number for a message's parameters, with the decimal sign of the reader's language ("0,25 mg"
    in French and Dutch), written when the message is translated, not when raised. No grouping: in a
    sentence "1000 mg" reads better than "1.000 mg" or "1,000 mg"."""

    def __str__(self) -> str:
        # Every significant decimal: a limit of 0.0125 mg written "0,012" would be refused at that value.
        return _format_decimal(float(self), format="0.######", locale=NUMBER_LOCALES[get_locale()])


def _brussels() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Brussels")


BRUSSELS = _brussels()


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    """Translate in `locale` for the block, e.g. a file built outside a request for a member (their language)."""
    token = _current_locale.set(locale if locale in LOCALES else "fr")
    try:
        yield
    finally:
        _current_locale.reset(token)
