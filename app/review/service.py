"""Screening posts with the moderation engine, and the review queue it feeds."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

import moderation
from app.accounts.models import User
from app.db import utcnow
from app.forum.models import Post, PostStatus
from app.review.models import AuditEntry, Finding, ItemStatus, Priority, ReviewItem

# What each finding category does to a post (DESIGN.md, "Moderation pipeline").
HOLD_CATEGORIES = frozenset({"sourcing", "personal_data"})
QUEUE_CATEGORIES = frozenset({"cold_turkey_advice", "crisis", "sourcing", "personal_data"})
NOTICE_FOR_CATEGORY = {"cold_turkey_advice": "gradual_tapering", "crisis": "crisis_lines"}


@dataclass
class Screening:
    body_findings: list[moderation.Finding] = field(default_factory=list)
    title_findings: list[moderation.Finding] = field(default_factory=list)
    newcomer_hold: bool = False

    @property
    def categories(self) -> set[str]:
        return {f.category for f in self.body_findings + self.title_findings}

    @property
    def held(self) -> bool:
        return self.newcomer_hold or bool(self.categories & HOLD_CATEGORIES)

    @property
    def status(self) -> PostStatus:
        return PostStatus.held if self.held else PostStatus.published

    @property
    def notices(self) -> list[str]:
        return [notice for cat, notice in NOTICE_FOR_CATEGORY.items() if cat in self.categories]

    @property
    def urgent(self) -> bool:
        return "crisis" in self.categories

    @property
    def stigma(self) -> list[moderation.Finding]:
        return [f for f in self.body_findings + self.title_findings if f.category == "stigma"]


def check_text(text: str, lang: str) -> list[moderation.Finding]:
    return moderation.check(text, lang)


def screen(*, title: str, body: str, lang: str, newcomer_hold: bool) -> Screening:
    return Screening(
        body_findings=moderation.check(body, lang),
        title_findings=moderation.check(title, lang) if title else [],
        newcomer_hold=newcomer_hold,
    )


def record(session: Session, post: Post, screening: Screening) -> None:
    """Keep every finding with the post and queue it for a moderator where the rules say so."""
    session.execute(delete(Finding).where(Finding.post_id == post.id))
    for field_name, findings in (("title", screening.title_findings), ("body", screening.body_findings)):
        session.add_all(
            Finding(post_id=post.id, field=field_name, category=f.category, rule=f.rule,
                    start=f.start, end=f.end, match=f.match)
            for f in findings
        )
    queued = sorted(screening.categories & QUEUE_CATEGORIES)
    if not queued and not screening.newcomer_hold:
        return
    item = session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.open)
    )
    if item is None:
        item = ReviewItem(post_id=post.id, reason="findings" if queued else "newcomer")
        session.add(item)
    item.categories = ",".join(queued + (["newcomer"] if screening.newcomer_hold else []))
    item.priority = Priority.urgent if screening.urgent else Priority.normal


def release_if_cleared(session: Session, post: Post, screening: Screening) -> None:
    """A post held only for personal data goes out once its author removed that data."""
    if post.status != PostStatus.held or screening.held:
        return
    item = session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.open)
    )
    if item is not None and set(item.categories.split(",")) <= {"personal_data"}:
        item.status = ItemStatus.resolved
        item.resolution = "edited_by_author"
        item.resolved_at = utcnow()
        post.status = PostStatus.published


def list_open_items(session: Session, *, limit: int = 100) -> list[ReviewItem]:
    return list(
        session.scalars(
            select(ReviewItem)
            .options(
                joinedload(ReviewItem.post).joinedload(Post.author),
                joinedload(ReviewItem.post).joinedload(Post.thread),
            )
            .where(ReviewItem.status == ItemStatus.open)
            .order_by((ReviewItem.priority == Priority.urgent).desc(), ReviewItem.created_at)
            .limit(limit)
        ).unique()
    )


def findings_for_posts(session: Session, post_ids: list[int]) -> dict[int, list[Finding]]:
    result: dict[int, list[Finding]] = {}
    if post_ids:
        for finding in session.scalars(select(Finding).where(Finding.post_id.in_(post_ids)).order_by(Finding.start)):
            result.setdefault(finding.post_id, []).append(finding)
    return result


def audit(session: Session, *, actor: User | None, action: str, target_type: str, target_id: int,
          reason: str = "") -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                           target_id=target_id, reason=reason))
