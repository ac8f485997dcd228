"""The review queue fed by the forum's screenings, and the audit log of staff actions.

Review sits above the forum: it reads posts, and changes them only through the
forum's service (e.g. `publish_held_post`), never by writing forum tables.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.db import utcnow
from app.forum import service as forum
from app.forum.models import Post, PostStatus
from app.forum.screening import Screening
from app.review.models import AuditEntry, Finding, ItemStatus, Priority, ReviewItem

# Which finding categories put a post in the moderators' queue (DESIGN.md, "Moderation pipeline").
QUEUE_CATEGORIES = frozenset({"cold_turkey_advice", "crisis", "sourcing", "personal_data"})
# A post held only for these goes out by itself once its author's edit clears them.
SELF_CLEARING = frozenset({"personal_data"})


def get_open_item(session: Session, *, post_id: int) -> ReviewItem | None:
    return session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == post_id, ReviewItem.status == ItemStatus.open)
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
    item = get_open_item(session, post_id=post.id)
    if item is None:
        item = ReviewItem(post_id=post.id, reason="findings" if queued else "newcomer")
        session.add(item)
    item.categories = ",".join(queued + (["newcomer"] if screening.newcomer_hold else []))
    item.priority = Priority.urgent if screening.urgent else Priority.normal


def release_if_cleared(session: Session, post: Post, screening: Screening) -> None:
    """A post held only for personal data goes out once its author removed that data."""
    if post.status != PostStatus.held or screening.held:
        return
    item = get_open_item(session, post_id=post.id)
    if item is not None and set(item.categories.split(",")) <= SELF_CLEARING:
        resolve(item, actor=None, resolution="edited_by_author")
        forum.publish_held_post(session, post=post)


def resolve(item: ReviewItem, *, actor: User | None, resolution: str, note: str = "") -> None:
    item.status = ItemStatus.resolved
    item.resolution = resolution
    item.note = note
    item.resolved_at = utcnow()
    item.resolved_by_id = actor.id if actor else None


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


def forget_findings(session: Session, *, post_ids: list[int]) -> None:
    """Drop what the engine quoted from these posts (their text was erased at their author's request)."""
    if post_ids:
        session.execute(delete(Finding).where(Finding.post_id.in_(post_ids)))


def audit(session: Session, *, actor: User | None, action: str, target_type: str, target_id: int,
          reason: str = "") -> None:
    session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                           target_id=target_id, reason=reason))
