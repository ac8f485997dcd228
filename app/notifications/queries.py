"""Loading for the bell, the notifications page, "my threads" and the composer's @ suggestions.

Each is one query. What members wrote to each other is shown only while the
post it points to is published and its thread is one the viewer may read: a
hidden or deleted post leaves the notifications with it, and comes back if a
moderator restores it. The moderators' kinds are always shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload
from sqlalchemy.sql import ColumnElement

from app.accounts import names
from app.accounts.models import User, UserStatus
from app.db import autoflushed_connection
from app.forum.models import Category, Post, PostStatus, Thread, ThreadVisit, Visibility
from app.forum.queries import visible_thread_filter
from app.notifications.models import (
    PEER_KINDS,
    CategoryLevel,
    CategoryWatch,
    Kind,
    Notification,
    Preferences,
    ThreadWatch,
    WatchLevel,
)
from app.pagination import Page, offset_for, pages_for

MENTION_SUGGESTIONS = 8


def shown_filter(viewer: User, viewer_id: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """Needs Post and Thread joined on the notification's ids (outer joins); `viewer_id` as in visible_thread_filter."""
    readable = and_(Post.status == PostStatus.published, visible_thread_filter(viewer, viewer_id))
    if not viewer.has_member_access:
        # A suspended or banned account reads what a visitor reads: members-only threads drop
        # out of its notifications (their titles too) until the restriction ends.
        public = select(Category.id).where(Category.visibility == Visibility.public)
        readable = and_(readable, Thread.category_id.in_(public))
    return or_(Notification.kind.not_in([k.value for k in PEER_KINDS]), readable)


#: What the moderators wrote to the member (decisions with their reasons, messages, the welcome's
#: approval). While the member has unread ones, every page's banner announces them (base.html,
#: `moderation_unread`) and links to them; the bell and the notifications page then leave them out
#: until they are read, so the member is told once. With no banner (the count says 0), they show.
BANNER_KINDS = (Kind.moderation_statement.value, Kind.moderator_message.value, Kind.welcome_approved.value)

#: session.info key: this request's viewer's count of every unread notification (see unread_count).
UNREAD_COUNTED = "notifications_unread_counted"


def _banner_shows(viewer: User) -> bool:
    return bool(viewer.moderation_unread)


@functools.cache
def _unread_count_statement(moderator: bool, member_access: bool, partial: bool) -> Select:
    """Built once per kind of viewer (what shown_filter and the banner change), the member bound per request."""
    user_id = bindparam("user_id", type_=Integer)
    viewer = _ViewerKind(is_moderator=moderator, has_member_access=member_access)
    query = (
        select(func.count(Notification.id))
        .select_from(Notification)
        .outerjoin(Post, Post.id == Notification.post_id)
        .outerjoin(Thread, Thread.id == Notification.thread_id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None),
               shown_filter(viewer, user_id))  # type: ignore[arg-type]
    )
    if partial:
        query = query.where(Notification.kind.not_in(BANNER_KINDS))
    return query


@dataclass(frozen=True)
class _ViewerKind:
    """What shown_filter reads of a viewer, for a statement shared by every viewer of that kind."""

    is_moderator: bool
    has_member_access: bool


def unread_count(session: Session, viewer: User, *, bell: bool = False) -> int:
    """One query on the (member, read_at) index, joined to the posts' and threads' primary keys.

    ``bell``: the header's number, without the moderators' notes while the banner is showing them.
    A count of every unread notification stays on the session for this request: a page that
    would mark notifications read skips that write when there is nothing unread.
    """
    partial = bell and _banner_shows(viewer)
    statement = _unread_count_statement(bool(viewer.is_moderator), bool(viewer.has_member_access), partial)
    # On the session's connection (a count loads no objects): the ORM's execution cost more than the count.
    count = int(autoflushed_connection(session).scalar(statement, {"user_id": viewer.id}) or 0)
    if not partial:
        session.info[UNREAD_COUNTED] = count
    return count


@dataclass
class Item:
    notification: Notification
    thread_title: str | None
    thread_lang: str | None

    @property
    def kind(self) -> Kind:
        return Kind(self.notification.kind)

    @property
    def actor(self) -> str | None:
        actor = self.notification.actor
        # None ("a former member") too while the actor's erasure, with their posts' text, waits.
        return actor.public_pseudonym if actor is not None else None


@dataclass
class ThreadGroup:
    """A page's notifications about one thread (thread_id None: the moderators' notes with no thread)."""

    thread_id: int | None
    title: str | None
    lang: str | None
    items: list[Item] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.notification.read_at is None)


def list_notifications(session: Session, viewer: User, *, page: int, size: int,
                       unread_only: bool = False, bell: bool = False) -> Page[Item]:
    """One query: a page of the viewer's notifications, newest first, with thread titles and actors.

    ``bell``: the notifications page, where the banner above already announces the moderators'
    unread notes (``BANNER_KINDS``); once read, they are listed like the rest.
    """
    actor = aliased(User)
    query = (
        select(Notification, Thread.title, Thread.lang, func.count().over().label("total"))
        .outerjoin(Post, Post.id == Notification.post_id)
        .outerjoin(Thread, Thread.id == Notification.thread_id)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .options(contains_eager(Notification.actor.of_type(actor)))
        .where(Notification.user_id == viewer.id, shown_filter(viewer))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(size)
        .offset(offset_for(page, size))
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if bell and _banner_shows(viewer):
        query = query.where(or_(Notification.read_at.is_not(None), Notification.kind.not_in(BANNER_KINDS)))
    rows = session.execute(query).all()
    total = rows[0].total if rows else 0
    items = [Item(notification=row[0], thread_title=row.title, thread_lang=row.lang) for row in rows]
    return Page(items=items, page=page, pages=pages_for(total, size), total=total)


def group_by_thread(items: list[Item]) -> list[ThreadGroup]:
    """Keep the page's order (newest first); each thread's notifications together under it."""
    groups: dict[int | None, ThreadGroup] = {}
    for item in items:
        key = item.notification.thread_id
        group = groups.get(key)
        if group is None:
            group = groups[key] = ThreadGroup(thread_id=key, title=item.thread_title, lang=item.thread_lang)
        group.items.append(item)
    return list(groups.values())


@dataclass(frozen=True)
class WatchState:
    level: WatchLevel  # the thread's own level, or what the category implies
    chosen: bool  # the member set (or was given) a level for this thread itself
    category: CategoryLevel


def own_watch_level(user_id: ColumnElement[int], thread_id: ColumnElement[int],
                    _category_id: ColumnElement[int]) -> ColumnElement[Any]:
    """The member's level for the thread (forum.queries.READER_STATE_PARTS: read with the thread page's state)."""
    return select(ThreadWatch.level).where(ThreadWatch.user_id == user_id,
                                           ThreadWatch.thread_id == thread_id).scalar_subquery()


def category_watch_level(user_id: ColumnElement[int], _thread_id: ColumnElement[int],
                         category_id: ColumnElement[int]) -> ColumnElement[Any]:
    """The member's level for the thread's category (likewise)."""
    return select(CategoryWatch.level).where(CategoryWatch.user_id == user_id,
                                             CategoryWatch.category_id == category_id).scalar_subquery()


@functools.cache
def _watch_state_statement() -> Select:
    user_id = bindparam("user_id", type_=Integer)
    return select(own_watch_level(user_id, bindparam("thread_id", type_=Integer), user_id),
                  category_watch_level(user_id, user_id, bindparam("category_id", type_=Integer)))


def thread_watch_state(session: Session, viewer: User, thread: Thread,
                       read: dict[str, Any] | None = None) -> WatchState:
    """One query: the viewer's level for the thread and for its category; none when the page
    read them already (`read`: the ThreadShown event's reader_parts)."""
    if read is not None and OWN_WATCH in read and CATEGORY_WATCH in read:
        own, by_category = read[OWN_WATCH], read[CATEGORY_WATCH]
    else:
        own, by_category = session.execute(_watch_state_statement(), {
            "user_id": viewer.id, "thread_id": thread.id, "category_id": thread.category_id}).one()
    category = CategoryLevel(by_category) if by_category else CategoryLevel.normal
    if own:
        return WatchState(level=WatchLevel(own), chosen=True, category=category)
    implied = WatchLevel.watching if category == CategoryLevel.watching else WatchLevel.normal
    return WatchState(level=implied, chosen=False, category=category)


#: Their names among forum.queries.READER_STATE_PARTS (registered by listeners.connect).
OWN_WATCH, CATEGORY_WATCH = "notifications_own_watch", "notifications_category_watch"


@dataclass
class WatchedThread:
    thread: Thread
    level: WatchLevel
    unread: int
    first_unread_id: int | None


def list_watched_threads(session: Session, viewer: User, *, level: WatchLevel, page: int,
                         size: int) -> Page[WatchedThread]:
    """One query: the viewer's watched (or muted) threads by last activity, with unread posts since their visit.

    Unread means published posts by others after the viewer's last visit to the
    thread (forum_thread_visits); the link goes to the first of them.
    """
    unread_post = and_(
        Post.thread_id == Thread.id, Post.status == PostStatus.published,
        or_(Post.author_id.is_(None), Post.author_id != viewer.id),
        or_(ThreadVisit.visited_at.is_(None), Post.created_at > ThreadVisit.visited_at),
    )
    unread = select(func.count(Post.id)).where(unread_post).correlate(Thread, ThreadVisit).scalar_subquery()
    first_unread = (select(Post.id).where(unread_post).order_by(Post.created_at, Post.id).limit(1)
                    .correlate(Thread, ThreadVisit).scalar_subquery())
    query = (
        select(Thread, ThreadWatch.level, unread.label("unread"), first_unread.label("first_unread"),
               func.count().over().label("total"))
        .join(ThreadWatch, and_(ThreadWatch.thread_id == Thread.id, ThreadWatch.user_id == viewer.id))
        .outerjoin(ThreadVisit, and_(ThreadVisit.thread_id == Thread.id, ThreadVisit.user_id == viewer.id))
        .options(joinedload(Thread.category))
        .where(ThreadWatch.level == level, visible_thread_filter(viewer))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(size)
        .offset(offset_for(page, size))
    )
    rows = session.execute(query).all()
    total = rows[0].total if rows else 0
    items = [WatchedThread(thread=row[0], level=WatchLevel(row.level), unread=row.unread or 0,
                           first_unread_id=row.first_unread) for row in rows]
    return Page(items=items, page=page, pages=pages_for(total, size), total=total)


def list_watched_categories(session: Session, viewer: User) -> list[tuple[Category, CategoryLevel]]:
    """One query: the categories the viewer watches, in the forum's order."""
    rows = session.execute(
        select(Category, CategoryWatch.level).join(CategoryWatch, CategoryWatch.category_id == Category.id)
        .where(CategoryWatch.user_id == viewer.id).order_by(Category.position, Category.id)
    ).all()
    return [(category, CategoryLevel(level)) for category, level in rows]


def mentionable(session: Session, viewer: User, *, prefix: str, thread_id: int | None = None) -> list[str]:
    """Pseudonyms for the composer's @ suggestions: one query, at most MENTION_SUGGESTIONS.

    Only members who have published something (their pseudonym is already public)
    and who accept mentions; people in the thread come first. A member who asked
    for their account's erasure is leaving: never suggested (if they chose to have
    their posts' text erased, their pseudonym is hidden everywhere meanwhile).
    """
    start = names.folded(prefix.lstrip("@"))
    if len(start) < 2:
        return []
    in_thread = exists().where(Post.thread_id == (thread_id or -1), Post.author_id == User.id,
                               Post.status == PostStatus.published)
    query = (
        select(User.pseudonym)
        .outerjoin(Preferences, Preferences.user_id == User.id)
        .where(User.pseudonym_folded.startswith(start, autoescape=True), User.status == UserStatus.active,
               User.erase_at.is_(None), User.published_posts > 0, User.id != viewer.id,
               func.coalesce(Preferences.mention, True))
        .order_by(in_thread.desc(), User.pseudonym_folded)
        .limit(MENTION_SUGGESTIONS)
    )
    return list(session.scalars(query))
