"""Load-and-authorise for moderators' pages: an item in a language the viewer does not moderate is not found
(unless no moderator of its language takes it: `covers`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.errors import NotFound
from app.forum.models import Post, PostStatus, Thread
from app.forum.permissions import access_post, can_moderate_thread
from app.review import dashboard
from app.review.models import ReviewItem
from app.review.service import CRISIS_KINDS


def covers(session: Session, viewer: User, item: ReviewItem) -> bool:
    """Whether a moderator sees and acts on an item outside their languages: one no moderator of its language takes.

    Crisis and "worried" items in a language without a moderator (admins apart) taking crisis items
    now (none, or all paused) go to every moderator: the post's readers are told that moderators
    know. Held posts in a language with no moderator at all do too: they wait on one.
    """
    if not viewer.is_moderator:
        return False
    gaps = dashboard.gaps(session)
    if item.kind in CRISIS_KINDS and item.lang in gaps.crisis:
        return True
    post = session.get(Post, item.post_id) if item.post_id is not None else None
    return item.lang in gaps.held and post is not None and post.status == PostStatus.held


def access_item(session: Session, viewer: User, item_id: int) -> ReviewItem:
    item = session.scalar(select(ReviewItem).options(
        joinedload(ReviewItem.post).joinedload(Post.author),
        joinedload(ReviewItem.post).joinedload(Post.thread).joinedload(Thread.category),
        joinedload(ReviewItem.subject), joinedload(ReviewItem.claimed_by), joinedload(ReviewItem.resolved_by),
    ).where(ReviewItem.id == item_id))
    if item is None or not (viewer.moderates(item.lang) or covers(session, viewer, item)):
        raise NotFound()
    return item


def access_post_to_moderate(session: Session, viewer: User, post_id: int) -> Post:
    post = access_post(session, viewer, post_id)
    if not can_moderate_thread(viewer, post.thread):
        raise NotFound()
    return post


def access_member(session: Session, viewer: User, user_id: int) -> User:
    """Any moderator may look at a member's moderation record (members are not tied to one language)."""
    member = session.get(User, user_id)
    if member is None or not viewer.is_moderator:
        raise NotFound()
    return member
