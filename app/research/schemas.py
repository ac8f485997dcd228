"""Research request and response bodies (contract: `PUT/GET /api/v1/me/consent` `{posts, diary}`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.i18n import LOCALES


class ConsentIn(BaseModel):
    posts: bool
    diary: bool


class ConsentOut(BaseModel):
    posts: bool
    diary: bool
    version: int = Field(description="Current consent text version")
    posts_version: int | None = Field(description="Version the posts answer was given under")
    diary_version: int | None = Field(description="Version the diary answer was given under")
    needs_answer: bool = Field(description="A newer text is out and has not been answered yet")
    updated_at: dt.datetime | None


class NeverQuoteIn(BaseModel):
    never_quote: bool


class ProjectIn(BaseModel):
    title: str = Field(max_length=200)
    institution: str = Field(max_length=200)
    purpose: str = Field(max_length=5000)
    ethics_ref: str = Field(max_length=120)
    data_requested: str = Field(max_length=5000)
    retention: str = Field(max_length=1000)
    accept_terms: bool


class ProjectOut(BaseModel):
    id: int
    title: str
    institution: str
    ethics_ref: str
    status: str
    expires_on: dt.date | None
    decision_reason: str
    can_export: bool


class ApproveIn(BaseModel):
    expires_on: dt.date


class DeclineIn(BaseModel):
    reason: str = Field(max_length=2000)


class ExportOptions(BaseModel):
    """What an export covers. Stored with the job, so a re-run is reproducible."""

    format: Literal["jsonl", "csv", "csv_excel", "convokit"] = "jsonl"
    categories: list[str] = Field(default_factory=list, description="Category slugs; empty: all")
    langs: list[str] = Field(default_factory=list, description="Thread languages; empty: all")
    since: dt.date | None = None
    until: dt.date | None = Field(default=None, description="Exclusive")
    diary: Literal["none", "aggregated", "entries"] = "none"
    dates: Literal["month", "shift"] = "month"

    @model_validator(mode="after")
    def _check(self) -> ExportOptions:
        self.langs = [lang for lang in dict.fromkeys(self.langs) if lang]
        if any(lang not in LOCALES for lang in self.langs):
            raise ValueError("unknown language")
        if self.since and self.until and self.until <= self.since:
            raise ValueError("the end date must come after the start date")
        return self


class ExportOut(BaseModel):
    id: int
    project_id: int
    status: str
    format: str
    percent: int
    progress_done: int
    progress_total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    counts: dict[str, object]
    sha256: str
    error: str
    download_url: str | None
