"""Review's JSON shapes (contract: the queue, decisions, reports, the member's statements)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

QueueAction = Literal["approve", "hide", "delete", "edit", "lock", "warn", "silence", "suspend", "ban", "note", "move",
                      "unlock", "pin", "unpin", "slow_mode", "uphold", "reverse"]
ReportReason = Literal["stigma", "medical_advice", "worried", "sourcing", "personal_data", "spam", "illegal", "other"]


class FindingOut(BaseModel):
    category: str
    field: str
    start: int
    end: int
    match: str
    rule: str
    explanation: str
    suggestions: list[str]
    source: str
    score: float | None


class ReportOut(BaseModel):
    id: int
    reason: str
    text: str
    created_at: dt.datetime


class QueueItemOut(BaseModel):
    id: int
    kind: str
    # Higher is more urgent: crisis and "worried" 50, sourcing and personal data 40, reports 30,
    # first posts to welcome 20, the rest 10.
    priority: int
    lang: str
    post_id: int | None
    thread_id: int | None
    findings: list[FindingOut]
    reports: list[ReportOut]
    created_at: dt.datetime
    tags: list[str]
    newcomer: bool
    version: int
    claimed_by: str | None
    claimed_until: dt.datetime | None
    url: str
    # Its author asked for their account's erasure with their posts' text: nobody reads it meanwhile, so the
    # findings come without their matched words, and only thread and member actions are accepted.
    withheld: bool = False


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int
    page: int
    pages: int


class DecisionIn(BaseModel):
    action: QueueAction
    reason: str = Field(max_length=4000)
    rule: str = Field(default="", max_length=40)
    duration_days: int | None = Field(default=None, ge=1, le=365)
    body: str | None = Field(default=None, max_length=100_000)
    category_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    content_note: str | None = Field(default=None, max_length=30)
    slow_mode_minutes: int | None = Field(default=None, ge=0, le=7 * 1440)
    labels: dict[str, bool] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StatementOut(BaseModel):
    id: int
    action: str
    reason: str
    rule: str
    automated: bool
    created_at: dt.datetime
    appeal_url: str | None
    source: str
    post_id: int | None
    duration_days: int | None
    ends_at: dt.datetime | None
    url: str


class DecisionOut(BaseModel):
    decision_id: int
    action: str
    item_status: str | None
    statement: StatementOut | None


class StatementList(BaseModel):
    items: list[StatementOut]


class ReportIn(BaseModel):
    reason: ReportReason
    text: str = Field(default="", max_length=4000)
    location: str = Field(default="", max_length=500)
    notifier_name: str = Field(default="", max_length=120)
    notifier_contact: str = Field(default="", max_length=200)
    good_faith: bool = False


class ReportCreated(BaseModel):
    id: int
    reason: str
    status: Literal["received"]
    # Visitors only: where to follow the notice (the secret is shown once).
    status_url: str | None


class AppealIn(BaseModel):
    text: str = Field(max_length=4000)


class AppealOut(BaseModel):
    id: int
    status: str
