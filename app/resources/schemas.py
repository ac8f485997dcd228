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


class SuggestIn(BaseModel):
    text: str = Field(max_length=100_000)
    lang: Lang = "fr"  # the language of the text
    ui_lang: Lang | None = None  # the language to suggest pages in (default: the text's)


class SuggestOut(BaseModel):
    pages: list[PageOut]
