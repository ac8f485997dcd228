from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.web.params import MAX_ID

#: A notification id as a client may send it: bounded like every id (larger ones overflow the database).
NotificationId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ActorOut(BaseModel):
    id: int
    pseudonym: str


class NotificationOut(BaseModel):
    # Contract: id, kind, thread_id, post_id, actor, created_at, read.
    id: int
    kind: str
    thread_id: int | None
    post_id: int | None
    actor: ActorOut | None
    created_at: dt.datetime
    read: bool
    # Extensions: the sentence in the request's language, where the link lands, the
    # reaction and how many members a grouped reaction stands for, review's reference.
    text: str
    url: str
    reaction: str | None = None
    count: int = 1
    ref_id: int | None = None


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int
    page: int
    pages: int


class UnreadCount(BaseModel):
    unread: int


class MarkRead(BaseModel):
    """Either `ids` (the member's own; others are ignored) or `all: true`."""

    ids: list[NotificationId] | None = Field(default=None, max_length=1000)
    all: bool = False


class MarkedRead(BaseModel):
    marked: int
    unread: int


class ThreadWatchIn(BaseModel):
    level: Literal["watching", "normal", "muted"]


class ThreadWatchOut(BaseModel):
    thread_id: int
    level: str


class CategoryWatchIn(BaseModel):
    level: Literal["watching", "new_threads", "normal"]


class CategoryWatchOut(BaseModel):
    category: str
    level: str


class PreferencesOut(BaseModel):
    """Which kinds reach the member (moderators' statements and messages always do) and what they watch."""

    kinds: dict[str, bool]
    always_delivered: list[str]
    watch_started: bool
    watch_replied: bool


class PreferencesIn(BaseModel):
    kinds: dict[str, bool] = Field(default_factory=dict)
    watch_started: bool | None = None
    watch_replied: bool | None = None


class WatchedThreadOut(BaseModel):
    thread_id: int
    title: str
    lang: str
    level: str
    unread: int
    first_unread_post_id: int | None
    last_post_at: dt.datetime
    url: str


class WatchedThreads(BaseModel):
    items: list[WatchedThreadOut]
    page: int
    pages: int


class Mentionable(BaseModel):
    pseudonyms: list[str]
