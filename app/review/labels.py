"""Moderators' verdicts on flagged posts, kept as labels the moderation engine retrains on.

Contract with `forum moderation retrain` (the engine's side): it calls
`list_labels(session)` (or `iter_labels`, optionally `since=`, `category=`,
`lang=`) and reads, for each label, the text as judged, its language, the
engine category, and whether the moderator confirmed it. The table is
`review_labels`; nothing here imports the engine's training code.

One row per (decision, engine category) when a moderator decides a queue item
of a post the engine flagged or a member reported: `confirmed` True when the
flag was right (the moderator restricted the post, or approved a crisis post:
the crisis was real), False when dismissed (approved as fine). The moderator
can override each verdict on the item page (`DecisionInput.labels`). `text` is
the post's text as judged, before a moderator's edit; the row goes when the
author erases their posts (`forget_labels`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.forum.models import Post, Thread
from app.review.models import Decision, Finding, Label, Report, ReviewItem
from app.review.vocabulary import ACTIONS, REPORT_LABEL_CATEGORY

ENGINE_CATEGORIES = ("stigma", "cold_turkey_advice", "crisis", "sourcing", "personal_data")
# Approving a crisis post lets it stand; it does not say the person was fine.
CONFIRMED_WHEN_APPROVED = frozenset({"crisis"})


@dataclass(frozen=True)
class LabelRow:
    id: int
    post_id: int | None  # None once the post itself is gone
    text: str
    lang: str
    category: str
    confirmed: bool
    source: str  # who raised the flag: "rule", "model" or "report"
    action: str  # the moderator's decision: "approve", "hide", "delete", "edit", ...
    created_at: dt.datetime


def flagged_categories(session: Session, *, item: ReviewItem, reports: list[Report]) -> dict[str, str]:
    """The engine categories a moderator gives a verdict on for this item, each with who raised it."""
    raised: dict[str, str] = {}
    if item.post_id is not None:
        tags = set(item.tag_list)
        for finding in session.scalars(select(Finding).where(Finding.post_id == item.post_id)):
            if finding.category in tags:
                # A rule finding outranks the model's for the same category.
                raised[finding.category] = "rule" if "rule" in (finding.source, raised.get(finding.category)) else (
                    finding.source)
    for report in reports:
        category = REPORT_LABEL_CATEGORY.get(report.reason)
        if category is not None:
            raised.setdefault(category, "report")
    return raised


def default_verdict(action: str, category: str) -> bool:
    """A restricting action confirms the flag; approving dismisses it (a crisis excepted)."""
    if ACTIONS[action].restricts:
        return True
    return action == "approve" and category in CONFIRMED_WHEN_APPROVED


def record_verdicts(session: Session, *, decision: Decision, post: Post, item: ReviewItem, reports: list[Report],
                    given: dict[str, bool], text: str | None = None) -> list[Label]:
    """One label per engine category raised on the post; `text` the post as judged (default: as it is now)."""
    raised = flagged_categories(session, item=item, reports=reports)
    for category in given:
        if category in ENGINE_CATEGORIES:
            raised.setdefault(category, "report" if reports else "rule")
    if not raised:
        return []
    lang = session.scalar(select(Thread.lang).where(Thread.id == post.thread_id)) or item.lang
    judged = post.body_md if text is None else text
    made = [Label(post_id=post.id, decision_id=decision.id, text=judged, lang=lang, category=category,
                  confirmed=given.get(category, default_verdict(decision.action, category)), source=source)
            for category, source in sorted(raised.items())]
    session.add_all(made)
    return made


def list_labels(session: Session, *, since: dt.datetime | None = None, category: str | None = None,
                lang: str | None = None) -> list[LabelRow]:
    """Every label (text, lang, category, confirmed), oldest first; `since` for an incremental read."""
    return list(iter_labels(session, since=since, category=category, lang=lang))


def iter_labels(session: Session, *, since: dt.datetime | None = None, category: str | None = None,
                lang: str | None = None) -> Iterator[LabelRow]:
    query = (select(Label, Decision.action).outerjoin(Decision, Decision.id == Label.decision_id)
             .order_by(Label.id))
    if since is not None:
        query = query.where(Label.created_at >= since)
    if category is not None:
        query = query.where(Label.category == category)
    if lang is not None:
        query = query.where(Label.lang == lang)
    for label, action in session.execute(query).yield_per(1000):
        yield LabelRow(id=label.id, post_id=label.post_id, text=label.text, lang=label.lang, category=label.category,
                       confirmed=label.confirmed, source=label.source, action=action or "",
                       created_at=label.created_at)


def forget_labels(session: Session, *, post_ids: list[int]) -> None:
    """The posts' text was erased at their author's request: so go the labels that quote it."""
    if post_ids:
        session.execute(delete(Label).where(Label.post_id.in_(post_ids)))
