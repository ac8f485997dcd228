"""The review queue: what feeds it (screenings, reports, first posts, appeals), its order, filters and claims.

Review sits above the forum: it reads posts, and changes them only through the
forum's service (e.g. `publish_held_post`), never by writing forum tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import flag_modified

from app.accounts.models import User
from app.db import serialize, utcnow
from app.errors import Conflict, ValidationFailed
from app.forum import service as forum
from app.forum.models import Category, Post, PostStatus, Thread
from app.forum.screening import HOLD_CATEGORIES, Notice, Screening
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.pagination import Page, offset_for, pages_for
from app.review import audit as audit_log
from app.review import dashboard
from app.review.models import Appeal, Finding, ItemStatus, ModeratorSettings, Report, ReviewItem
from app.review.vocabulary import KINDS, classify

# Which finding categories put a post in the moderators' queue (DESIGN.md, "Moderation pipeline"):
# rule and model findings alike; a member's own abrupt stop (cold_turkey_advice, about "self")
# too, so that a peer or moderator replies.
QUEUE_CATEGORIES = frozenset({"cold_turkey_advice", "crisis", "sourcing", "personal_data"})
# A post held only for these goes out by itself once its author's edit clears them.
SELF_CLEARING = frozenset({"personal_data"})
#: The tags of a newcomer's held post: "welcome" for their first post, "newcomer" for the next ones.
NEWCOMER_KINDS = frozenset({"welcome", "newcomer"})
CRISIS_KINDS = ("crisis", "worried")


def get_open_item(session: Session, *, post_id: int) -> ReviewItem | None:
    return session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == post_id, ReviewItem.status == ItemStatus.open)
    )


def _tags(tags: Iterable[str]) -> str:
    return "," + ",".join(sorted(set(tags))) + "," if tags else ""


def add_reasons(session: Session, *, post: Post, lang: str, reasons: Iterable[str],
                newcomer: bool | None = None) -> ReviewItem:
    """The post's open item with these reasons merged in (a new item if none is open).

    Reasons accumulate while the item is open: a moderator sees everything that
    brought the post here, even what its author edited out since. Requests that
    queue the same post at once (two members reporting it) take turns, so they
    never open two items, nor fail on the item's version counter.
    """
    serialize(session, "review-item", post.id)
    item = session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.open)
                          .execution_options(populate_existing=True))  # as committed, not as loaded before
    if item is None:
        item = ReviewItem(post_id=post.id, subject_id=post.author_id, lang=lang, kind="report", tags="",
                          priority=0, created_at=utcnow())
        if newcomer is not None:
            item.newcomer = newcomer
        elif post.author_id is not None:
            author = session.get(User, post.author_id)
            item.newcomer = author is not None and author.approved_posts == 0 and not author.is_moderator
        session.add(item)
    merged = set(item.tag_list) | set(reasons)
    kind, priority = classify(merged)
    if _tags(merged) != item.tags:
        item.tags, item.kind, item.priority = _tags(merged), kind, priority
    return item


def mark_text_changed(session: Session, *, post: Post) -> None:
    """Its author is editing the post: its open item's version moves on, so a decision on the old text is refused.

    A moderator who opened the item saw the text as it was; their decision carries
    that version and gets a conflict (the page then shows the new text), whatever
    the edit's findings. Taken in add_reasons' order (the post's turn, then the
    item's row) and before the edit locks the post, as a decision locks the item
    before it changes the post: no two of them wait for each other.
    """
    serialize(session, "review-item", post.id)
    item = session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.open)
                          .with_for_update().execution_options(populate_existing=True))
    if item is not None:
        flag_modified(item, "tags")  # an UPDATE with nothing else to change still bumps the version counter
        session.flush()


def record(session: Session, post: Post, screening: Screening, *, edited: bool = True) -> None:
    """Keep every finding with the post and queue it for a moderator where the rules say so.

    An edit's findings replace the earlier ones; a new post (`edited` False) has none to replace.
    """
    if edited:
        session.execute(delete(Finding).where(Finding.post_id == post.id))
    for field_name, findings in (("title", screening.title_findings), ("body", screening.body_findings)):
        session.add_all(
            Finding(post_id=post.id, field=field_name, category=f.category, rule=f.rule, start=f.start, end=f.end,
                    match=f.match, source=f.source, score=f.score, explanation=f.explanation,
                    suggestions=list(f.suggestions))
            for f in findings
        )
    reasons = sorted(screening.categories & QUEUE_CATEGORIES)
    if screening.newcomer_hold:
        # Only the first post is the one to welcome (and answer with a welcome); the next ones are held as well.
        reasons.append("welcome" if screening.first_post else "newcomer")
    if not reasons:
        return
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    # Still within the welcome (the post may already have gone out, a crisis is never held for it).
    item = add_reasons(session, post=post, lang=thread.lang, reasons=reasons,
                       newcomer=True if screening.newcomer_hold else None)
    shown = {Notice.crisis_lines, Notice.crisis_gentle} & set(screening.poster_notices())
    if shown and item.lines_shown_at is None:
        item.lines_shown_at = utcnow()  # the poster was shown the help lines (in full or gently) with their post


def hold_reasons(session: Session, post: Post) -> set[str]:
    """Why a post is held, as its rule findings say (the learned layer never holds), and a newcomer's welcome."""
    ruled = set(session.scalars(select(Finding.category).where(Finding.post_id == post.id, Finding.source == "rule")))
    reasons = ruled & HOLD_CATEGORIES
    item = get_open_item(session, post_id=post.id)
    if item is not None and NEWCOMER_KINDS & set(item.tag_list):
        reasons.add("welcome")
    return reasons


def release_if_cleared(session: Session, post: Post, screening: Screening, *, held_for: set[str]) -> None:
    """A post held only for personal data goes out once its author removed that data.

    `held_for` is what held the post before the edit (`hold_reasons`). Anything
    else (sourcing, a newcomer's first post) waits for a moderator, and so does
    a hold its findings no longer explain (an earlier edit took the rule's
    words out, or a moderator held it): the learned layer never lifts a hold.
    """
    if post.status != PostStatus.held or screening.held or not held_for or not held_for <= SELF_CLEARING:
        return
    item = get_open_item(session, post_id=post.id)
    if item is not None and set(item.tag_list) <= SELF_CLEARING:
        resolve(item, actor=None, resolution="edited_by_author")
    forum.publish_held_post(session, post=post)


def resolve(item: ReviewItem, *, actor: User | None, resolution: str) -> None:
    now = utcnow()
    item.status = ItemStatus.resolved
    item.resolution = resolution
    item.resolved_at = now
    item.resolved_by_id = actor.id if actor else None
    item.claimed_by_id = None
    item.claimed_until = None
    if actor is not None and item.first_action_at is None:
        item.first_action_at = now


def close_items_of_erased(session: Session, *, post_ids: tuple[int, ...]) -> int:
    """Open items about posts whose text was just erased with their author's account: closed, by nobody."""
    items = list(session.scalars(select(ReviewItem).where(ReviewItem.post_id.in_(post_ids),
                                                          ReviewItem.status == ItemStatus.open)))
    for item in items:
        resolve(item, actor=None, resolution="erased")
    return len(items)


def open_appeal_item(session: Session, *, appeal: Appeal, lang: str) -> ReviewItem:
    item = ReviewItem(post_id=None, subject_id=appeal.appellant_id, lang=lang, kind="appeal", tags=_tags(["appeal"]),
                      priority=KINDS["appeal"][0], created_at=utcnow())
    session.add(item)
    session.flush()
    appeal.item_id = item.id
    return item


# --- Reading the queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    lang: str = ""
    category: str = ""  # a forum category's slug
    kind: str = ""


def crisis_paused_until(session: Session, viewer: User) -> dt.datetime | None:
    prefs = session.get(ModeratorSettings, viewer.id)
    if prefs is None or prefs.crisis_paused_until is None or prefs.crisis_paused_until <= utcnow():
        return None
    return prefs.crisis_paused_until


def pause_crisis_items(session: Session, *, viewer: User, hours: int) -> None:
    """A moderator steps back from crisis items for a while (0 hours: back now); others get them meanwhile."""
    if not 0 <= hours <= 7 * 24:
        raise ValidationFailed(N_("A pause lasts at most a week."), field="hours")
    serialize(session, "moderator-settings", viewer.id)  # sent twice at once: the row is inserted once
    prefs = session.get(ModeratorSettings, viewer.id, populate_existing=True)
    if prefs is None:
        prefs = ModeratorSettings(user_id=viewer.id)
        session.add(prefs)
    prefs.crisis_paused_until = utcnow() + dt.timedelta(hours=hours) if hours else None
    audit_log.record(session, actor=viewer, action="crisis.pause" if hours else "crisis.resume", target_type="user",
                 target_id=viewer.id, details={"hours": hours})


def _uncovered_items(gaps: dashboard.Gaps, *, langs: set[str], crisis: bool) -> ColumnElement[bool] | None:
    """Items in `langs` that reach every moderator for want of one of their language (dashboard.Gaps)."""
    parts: list[ColumnElement[bool]] = []
    if crisis and gaps.crisis & langs:
        parts.append(and_(ReviewItem.lang.in_(gaps.crisis & langs), ReviewItem.kind.in_(CRISIS_KINDS)))
    if gaps.held & langs:
        parts.append(and_(ReviewItem.lang.in_(gaps.held & langs), ReviewItem.post_id.in_(
            select(Post.id).where(Post.status == PostStatus.held))))
    return or_(*parts) if parts else None


def _queue_query(session: Session, viewer: User, filters: QueueFilter) -> Select[Any]:
    langs = viewer.moderated_lang_list
    paused = crisis_paused_until(session, viewer) is not None
    # Urgent and held items no moderator of their language takes come to every moderator (permissions.covers).
    others = set() if not viewer.is_moderator else set(LOCALES) - set(langs)
    if filters.lang:
        langs = [lang for lang in langs if lang == filters.lang]
        others &= {filters.lang}
    mine: ColumnElement[bool] = ReviewItem.lang.in_(langs)
    uncovered = _uncovered_items(dashboard.gaps(session), langs=others, crisis=not paused) if others else None
    if uncovered is not None:
        mine = or_(mine, uncovered)
    query: Select[Any] = select(ReviewItem).where(ReviewItem.status == ItemStatus.open, mine)
    if paused:
        query = query.where(ReviewItem.kind.not_in(CRISIS_KINDS))
    if filters.kind in KINDS:
        query = query.where(ReviewItem.tags.contains(f",{filters.kind},"))
    if filters.category:
        query = query.where(ReviewItem.post_id.in_(
            select(Post.id).join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
            .where(Category.slug == filters.category)))
    return query


def uncovered_counts(session: Session, viewer: User) -> dict[str, int]:
    """Open items of each language outside the viewer's that come to them for want of a moderator of it."""
    others = set(LOCALES) - set(viewer.moderated_lang_list) if viewer.is_moderator else set()
    uncovered = _uncovered_items(dashboard.gaps(session), langs=others, crisis=True) if others else None
    if uncovered is None:
        return {}
    rows = session.execute(select(ReviewItem.lang, func.count(ReviewItem.id))
                           .where(ReviewItem.status == ItemStatus.open, uncovered).group_by(ReviewItem.lang))
    return {lang: count for lang, count in rows}


def list_queue(session: Session, viewer: User, filters: QueueFilter, *, page: int = 1,
               size: int = 50) -> Page[ReviewItem]:
    """Open items in the viewer's languages: highest priority first, oldest first within a priority."""
    query = _queue_query(session, viewer, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(
        query.options(
            joinedload(ReviewItem.post).joinedload(Post.author),
            joinedload(ReviewItem.post).joinedload(Post.thread).joinedload(Thread.category),
            joinedload(ReviewItem.subject), joinedload(ReviewItem.claimed_by),
        )
        .order_by(ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id)
        .limit(size).offset(offset_for(page, size))
    ).unique())
    return Page(items=items, page=page, pages=pages_for(total, size), total=total)


def count_open(session: Session, viewer: User) -> int:
    query = _queue_query(session, viewer, QueueFilter())
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def findings_for_posts(session: Session, post_ids: list[int]) -> dict[int, list[Finding]]:
    result: dict[int, list[Finding]] = {}
    if post_ids:
        for finding in session.scalars(select(Finding).where(Finding.post_id.in_(post_ids)).order_by(Finding.start)):
            result.setdefault(finding.post_id, []).append(finding)
    return result


def reports_for_items(session: Session, item_ids: list[int]) -> dict[int, list[Report]]:
    result: dict[int, list[Report]] = {}
    if item_ids:
        for report in session.scalars(select(Report).options(joinedload(Report.reporter))
                                      .where(Report.item_id.in_(item_ids)).order_by(Report.id)):
            assert report.item_id is not None
            result.setdefault(report.item_id, []).append(report)
    return result


def appeals_for_items(session: Session, item_ids: list[int]) -> dict[int, Appeal]:
    if not item_ids:
        return {}
    appeals = session.scalars(select(Appeal).options(joinedload(Appeal.statement)).where(Appeal.item_id.in_(item_ids)))
    return {appeal.item_id: appeal for appeal in appeals if appeal.item_id is not None}


@dataclass
class ItemContext:
    """Everything the item page and the API show about one item."""

    item: ReviewItem
    findings: list[Finding] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    appeal: Appeal | None = None


def item_context(session: Session, item: ReviewItem) -> ItemContext:
    return ItemContext(
        item=item,
        findings=findings_for_posts(session, [item.post_id]).get(item.post_id, []) if item.post_id else [],
        reports=reports_for_items(session, [item.id]).get(item.id, []),
        appeal=appeals_for_items(session, [item.id]).get(item.id),
    )


def lock_item(session: Session, item: ReviewItem) -> None:
    """Lock the item's row (PostgreSQL; SQLite: the write lock), then re-read it: a second decision or
    claim waits, then sees the first, instead of failing on the item's version counter.
    """
    serialize(session, "review-item-row", item.id)  # SQLite: the write lock taken before the item is read again
    session.execute(select(ReviewItem.id).where(ReviewItem.id == item.id).with_for_update())
    session.refresh(item)


# --- Claims --------------------------------------------------------------------------------------


def claim(session: Session, *, item: ReviewItem, viewer: User, minutes: int) -> None:
    """Take an item for a while so that no other moderator acts on it at the same time.

    Claims sent at once take turns on the item's row, so the later ones see the first (409, or
    the same moderator's claim renewed) instead of failing on the item's version counter.
    """
    lock_item(session, item)
    if item.status != ItemStatus.open:
        raise Conflict(N_("This item has already been decided."))
    if item.claimed_by_other(viewer):
        other = session.get(User, item.claimed_by_id)
        raise Conflict(N_("%(name)s is handling this item right now."), name=other.pseudonym if other else "?")
    now = utcnow()
    item.claimed_by_id = viewer.id
    item.claimed_until = now + dt.timedelta(minutes=minutes)
    if item.first_action_at is None:
        item.first_action_at = now


def release_claim(session: Session, *, item: ReviewItem, viewer: User) -> None:
    if item.claimed_by_id == viewer.id:
        item.claimed_by_id = None
        item.claimed_until = None


def release_expired_claims(session: Session) -> int:
    """Housekeeping: forget claims whose time is up (they no longer count anyway)."""
    stale = list(session.scalars(select(ReviewItem).where(
        ReviewItem.claimed_until.is_not(None), ReviewItem.claimed_until <= utcnow())))
    for item in stale:
        item.claimed_by_id = None
        item.claimed_until = None
    return len(stale)


def forget_findings(session: Session, *, post_ids: list[int]) -> None:
    """Drop what the engine quoted from these posts (their text was erased at their author's request)."""
    if post_ids:
        session.execute(delete(Finding).where(Finding.post_id.in_(post_ids)))


def items_of_post(session: Session, post_id: int) -> list[ReviewItem]:
    return list(session.scalars(select(ReviewItem).where(ReviewItem.post_id == post_id)
                                .order_by(ReviewItem.id.desc())))


def open_items_of_posts(session: Session, post_ids: list[int]) -> list[ReviewItem]:
    if not post_ids:
        return []
    return list(session.scalars(select(ReviewItem).where(
        ReviewItem.post_id.in_(post_ids), ReviewItem.status == ItemStatus.open)))


def audit(session: Session, *, actor: User | None, action: str, target_type: str, target_id: int,
          reason: str = "", details: dict[str, Any] | None = None) -> None:
    """Record a staff action in the append-only audit log (the entry point other domains use)."""
    audit_log.record(session, actor=actor, action=action, target_type=target_type, target_id=target_id,
                     reason=reason, details=details)
