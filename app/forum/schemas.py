from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.forum.service import TITLE_MAX, TITLE_MIN
from app.i18n import LOCALES


class CategoryOut(BaseModel):
    id: int
    slug: str
    names: dict[str, str]
    descriptions: dict[str, str]
    visibility: str


# The schema refuses texts past this ceiling before any work. A post's body has none: its limit is the
# max_post_chars setting (20,000 by default), checked by the service first (a length, before any screening),
# whose message names that limit; a schema ceiling answered "at most 100 000", a limit no post has (round 31).
# The request's size is bounded anyway (settings.max_request_bytes).
BODY_CEILING = 100_000
BODY_DOC = ("Markdown. At most the forum's max_post_chars setting (20,000 characters by default): "
            "longer bodies are answered 422.")


class ThreadCreate(BaseModel):
    # Title length and language are the service's checks (forum.service.check_draft), not the schema's: the
    # schema would refuse a short title alone, before the body is read, where the form and the reply endpoint
    # list every problem at once. The schema still documents them; its ceilings only stop absurd payloads.
    title: str = Field(max_length=BODY_CEILING, description=f"{TITLE_MIN} to {TITLE_MAX} characters.",
                       json_schema_extra={"minLength": TITLE_MIN, "maxLength": TITLE_MAX})
    body: str = Field(description=BODY_DOC)
    lang: str = Field(max_length=8, description="The thread's language.",
                      json_schema_extra={"enum": list(LOCALES)})
    content_note: str | None = None


class PostCreate(BaseModel):
    body: str = Field(description=BODY_DOC)
    content_note: str | None = None


class PostEdit(PostCreate):
    pass


class ReactionIn(BaseModel):
    kind: Literal["thanks", "courage", "me_too"]
    given: bool | None = Field(default=None, description=(
        "true: give the reaction, false: take it back; the same answer however often it is sent (a double tap "
        "gives it once). Left out: the other way round from now (a toggle)."))


class FindingOut(BaseModel):
    category: str
    start: int
    end: int
    match: str
    suggestions: list[str]
    rule: str
    explanation: str = ""
    severity: str | int | None = None
    source: str = "rule"  # "model": the learned layer's estimate, with its probability in `score`
    score: float | None = None
    about: str = ""  # cold_turkey_advice: "others" (advice) or "self" (the poster's own abrupt stop)


class ThreadCreated(BaseModel):
    id: int
    url: str
    first_post_id: int
    status: str
    findings: list[FindingOut]
    notices: list[str]
    poster_notices: list[str] = Field(default_factory=list, description=(
        "What the poster alone is told at once (not stored with the post): crisis_lines, crisis_gentle, "
        "cold_turkey_self, personal_data (held until the details are removed), held, welcome."))


class PostCreated(BaseModel):
    id: int
    url: str
    status: str
    findings: list[FindingOut]
    notices: list[str]
    poster_notices: list[str] = Field(default_factory=list, description=(
        "What the poster alone is told at once (not stored with the post): crisis_lines, crisis_gentle, "
        "cold_turkey_self, personal_data (held until the details are removed), held, welcome."))


class AuthorOut(BaseModel):
    id: int | None
    pseudonym: str


class PostOut(BaseModel):
    id: int
    author: AuthorOut | None
    body_html: str | None
    status: str
    content_note: str | None
    notices: list[str]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    reactions: dict[str, int]
    url: str
    # The author's own marks on their post, e.g. {"never_quote": true}; null for everyone else.
    marks: dict[str, bool] | None = None


class PostPage(BaseModel):
    items: list[PostOut]
    page: int
    pages: int
    total: int


class ThreadOut(BaseModel):
    id: int
    title: str
    lang: str
    category: str
    author: AuthorOut | None
    status: str
    pinned: bool
    locked: bool
    post_count: int
    created_at: dt.datetime
    last_post_at: dt.datetime
    url: str


class ModerationCheck(BaseModel):
    text: str = Field(max_length=BODY_CEILING, description=(
        "The text to check. At most the forum's max_post_chars setting (20,000 characters by default), as a "
        "post's body: longer texts are answered 422."))
    lang: Literal["fr", "nl", "en"] | None = None  # None: the request's language


class ModerationResult(BaseModel):
    findings: list[dict[str, Any]]
