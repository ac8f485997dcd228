from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Lang = Literal["fr", "nl", "en"]


class SourceOut(BaseModel):
    title: str
    url: str


class PageOut(BaseModel):
    slug: str
    lang: Lang
    section: str
    title: str
    summary: str
    last_reviewed: dt.date
    url: str
    sources: list[SourceOut]


class PageList(BaseModel):
    pages: list[PageOut]


#: The room a new thread's title takes in a suggestion's text: the composer sends the title (at most 200
#: characters, forum.service.TITLE_MAX), a line break, then the body (static/js/resource_hints.js).
TITLE_ROOM = 201


class SuggestIn(BaseModel):
    text: str = Field(max_length=100_000, description=(
        "The text to suggest pages for: a post's body, or a new thread's title, a line break and its body. At "
        "most the forum's max_post_chars setting (20,000 characters by default) and 201 more for a title: "
        "longer texts are answered 422."))
    lang: Lang = "fr"  # the language of the text
    ui_lang: Lang | None = None  # the language to suggest pages in (default: the text's)


class SuggestOut(BaseModel):
    pages: list[PageOut]
