"""Notifications: writing them, reading them off, watching threads and categories, preferences.

`notify` is the one door for a single member's notification; the moderators'
tools (review) call it for statements of reasons, messages, welcome approvals
and report outcomes. What the forum announces arrives through listeners.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, inspect, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User, UserStatus
from app.db import UTCDateTime, autoflushed_connection, serialize, utcnow
from app.errors import NotFound, ValidationFailed
from app.forum.models import Category, Post, Thread
from app.forum.permissions import can_see_category, can_see_post_body, can_see_thread
from app.i18n_markers import N_
from app.notifications.fanout import insert_ignoring_conflicts, post_key, upsert
from app.notifications.models import (
    ALWAYS_DELIVERED,
    PEER_KINDS,
    SWITCHABLE,
    CategoryLevel,
    CategoryWatch,
    Kind,
    Notification,
    Preferences,
    ThreadWatch,
    WatchLevel,
)

#: Preference fields that are not kinds: what a member watches without asking.
WATCH_DEFAULTS = {"watch_started": True, "watch_replied": True}


# --- preferences ---------------------------------------------------------------------------

def get_preferences(session: Session, *, user_id: int) -> Preferences:
    """The member's preferences; the defaults (not stored) when they never changed any."""
    found = session.get(Preferences, user_id)
    if found is not None:
        return found
    return Preferences(user_id=user_id, **{k.value: v for k, v in SWITCHABLE.items()}, **WATCH_DEFAULTS)


PREFERENCE_FIELDS = [k.value for k in SWITCHABLE] + list(WATCH_DEFAULTS)


def update_preferences(session: Session, *, user: User, values: dict[str, bool]) -> Preferences:
    """Set the given switches (kinds and watch defaults); the moderators' kinds cannot be switched off."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationFailed(N_("Unknown notification setting."), field="preferences")
    _take_turn(session, user)
    prefs = session.get(Preferences, user.id, populate_existing=True)
    if prefs is None:
        prefs = get_preferences(session, user_id=user.id)
        session.add(prefs)
    for name, value in values.items():
        setattr(prefs, name, bool(value))
    return prefs


def wants(prefs: Preferences | None, kind: Kind) -> bool:
    if kind in ALWAYS_DELIVERED:
        return True
    value = getattr(prefs, kind.value, None) if prefs is not None else None
    return SWITCHABLE.get(kind, True) if value is None else bool(value)


# --- writing -------------------------------------------------------------------------------

def _group_key(kind: Kind, post_id: int | None, ref_id: int | None) -> str | None:
    """What makes a notification unique for its member (None: nothing, each one stands alone)."""
    if kind in PEER_KINDS and post_id is not None:
        return post_key(post_id)
    if ref_id is not None:
        return f"{kind.value}:{ref_id}"
    if kind == Kind.welcome_approved and post_id is not None:
        return f"{kind.value}:p{post_id}"
    return None


def deliverable(session: Session, kind: Kind, user_ids: Iterable[int], *, thread: Thread | None = None,
                post: Post | None = None) -> list[User]:
    """The members among `user_ids` who may receive this kind now (one query, plus the thread's category).

    The moderators' statements and messages reach every existing account, whatever
    its preferences, mutes or restrictions; their other kinds (welcome approval,
    report outcome) follow the member's preference only. What members write to
    each other needs an active account, the kind switched on, the thread not
    muted, and the right to read the thread: a mention never shows members-only
    content to someone who cannot read it.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return []
    query = (select(User, Preferences, ThreadWatch.level).outerjoin(Preferences, Preferences.user_id == User.id)
             .where(User.id.in_(ids), User.status != UserStatus.deleted))
    query = query.outerjoin(ThreadWatch, (ThreadWatch.user_id == User.id)
                            & (ThreadWatch.thread_id == (thread.id if thread is not None else -1)))
    rows = session.execute(query).all()
    if kind in ALWAYS_DELIVERED:
        return [user for user, _prefs, _level in rows]
    if kind not in PEER_KINDS:  # from the moderators: the member's switch decides, not restrictions or mutes
        return [user for user, prefs, _level in rows if wants(prefs, kind)]
    if thread is not None:
        _load_category(session, thread)
    return [
        user for user, prefs, level in rows
        if user.status == UserStatus.active and wants(prefs, kind) and level != WatchLevel.muted
        and (thread is None or can_see_thread(user, thread))
        and (post is None or can_see_post_body(user, post))
    ]


def _load_category(session: Session, thread: Thread) -> None:
    """The forum's permission checks read thread.category; load it if the caller's thread came without."""
    if "category" not in inspect(thread).dict:
        set_committed_value(thread, "category", session.get(Category, thread.category_id))


def _insert(session: Session, *, user_id: int, kind: Kind, thread_id: int | None, post_id: int | None,
            actor_id: int | None, ref_id: int | None) -> bool:
    """Write one notification; True when the member now has it unread because of this call.

    Members' kinds are written once per member and post (a conflict does nothing).
    The moderators' kinds with a reference come back unread when notified again:
    a new message in the same conversation re-opens its notification.
    """
    now = utcnow()
    values = {"user_id": user_id, "kind": kind.value, "thread_id": thread_id, "post_id": post_id,
              "actor_id": actor_id, "ref_id": ref_id, "detail": "", "count": 1,
              "group_key": _group_key(kind, post_id, ref_id), "created_at": now}
    statement = upsert(session, Notification).values(**values)
    if kind in PEER_KINDS:
        statement = statement.on_conflict_do_nothing()
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["user_id", "group_key"],
            set_={"read_at": None, "created_at": now, "actor_id": actor_id, "thread_id": thread_id,
                  "post_id": post_id})
    # RETURNING says whether a row went in (ON CONFLICT DO NOTHING returns none); both databases have it.
    session.flush()
    return session.connection().execute(statement.returning(Notification.id)).first() is not None


def notify(session: Session, *, user_id: int, kind: Kind | str, thread_id: int | None = None,
           post_id: int | None = None, actor_id: int | None = None, ref_id: int | None = None) -> bool:
    """Notify one member, in the caller's transaction; True if a notification was written.

    For review: `moderation_statement` (ref_id = the statement; always delivered),
    `moderator_message` (ref_id = the conversation; always delivered; a new message
    in it makes the same notification unread again), `welcome_approved` (post_id =
    the approved first post) and `report_outcome` (ref_id = the report). Members'
    kinds are written once per member and post.
    """
    kind = Kind(kind)
    thread = session.get(Thread, thread_id) if thread_id is not None else None
    post = session.get(Post, post_id) if post_id is not None else None
    if post is not None and thread is None:
        thread = session.get(Thread, post.thread_id)
    if thread is not None and thread_id is None:
        thread_id = thread.id
    if actor_id is not None and actor_id == user_id and kind in PEER_KINDS:
        return False
    peer = kind in PEER_KINDS
    if not deliverable(session, kind, [user_id], thread=thread if peer else None, post=post if peer else None):
        return False
    return _insert(session, user_id=user_id, kind=kind, thread_id=thread_id, post_id=post_id, actor_id=actor_id,
                   ref_id=ref_id)


def notify_members(session: Session, *, kind: Kind, user_ids: Iterable[int], post: Post, thread: Thread) -> int:
    """A mention or a quote: each named member who may receive it, once per post."""
    users = deliverable(session, kind, [u for u in user_ids if u != post.author_id], thread=thread, post=post)
    for user in users:
        _insert(session, user_id=user.id, kind=kind, thread_id=thread.id, post_id=post.id, actor_id=post.author_id,
                ref_id=None)
    return len(users)


def record_reaction(session: Session, *, post: Post, kind: str, reactors: list[int], given: bool) -> None:
    """Keep the post author's one grouped notification per reaction in step with who reacted.

    `reactors` are the members who now give this reaction, most recent first.
    A new reaction brings the group back as unread; a withdrawn one only
    updates the count (and the group goes when nobody is left).
    """
    author_id = post.author_id
    if author_id is None:
        return
    key = f"reaction:{post.id}:{kind}"
    others = [user_id for user_id in reactors if user_id != author_id]
    existing = session.scalar(
        select(Notification).where(Notification.user_id == author_id, Notification.group_key == key))
    if not others:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        if given:
            session.execute(insert_ignoring_conflicts(session, Notification).values(
                user_id=author_id, kind=Kind.reaction.value, thread_id=post.thread_id, post_id=post.id,
                actor_id=others[0], detail=kind, count=len(others), group_key=key, created_at=utcnow(),
            ))
        return
    existing.count = len(others)
    existing.actor_id = others[0]
    if given:
        existing.read_at = None
        existing.created_at = utcnow()


def forget_posts(session: Session, *, post_ids: Iterable[int]) -> int:
    """Members' notifications about these posts go for good (the posts were deleted or erased)."""
    ids = list(post_ids)
    if not ids:
        return 0
    result = session.execute(
        delete(Notification).where(Notification.post_id.in_(ids), Notification.kind.in_([k.value for k in PEER_KINDS]))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_reactions(session: Session, *, post_id: int) -> None:
    """A post now flagged as a crisis: reactions to it never notify (and earlier ones go)."""
    session.execute(delete(Notification).where(Notification.post_id == post_id,
                                               Notification.kind == Kind.reaction.value))


# --- reading off ---------------------------------------------------------------------------

def mark_read(session: Session, *, user: User, ids: Iterable[int] | None = None, everything: bool = False) -> int:
    """Mark some (or all) of the member's notifications read; other members' ids are ignored."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if not everything:
        wanted = list(ids or [])
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    return int(session.execute(query.values(read_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


def mark_seen(session: Session, *, user: User, thread_id: int, post_ids: Iterable[int]) -> int:
    """The member is reading these posts: what told them about them is read (one UPDATE).

    Only what members wrote and the welcome: a moderators' statement about a post
    is read where it is explained, not by seeing the post.
    """
    wanted = list(post_ids)
    if not wanted:
        return 0
    kinds = [k.value for k in PEER_KINDS] + [Kind.welcome_approved.value]
    result = session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), Notification.thread_id == thread_id,
        Notification.post_id.in_(wanted), Notification.kind.in_(kinds),
    ).values(read_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_read_about(session: Session, *, user_id: int, kinds: Iterable[Kind], ref_id: int) -> int:
    """The member read, where it lives, what these notifications point to (a statement, a conversation)."""
    result = session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), Notification.ref_id == ref_id,
        Notification.kind.in_([Kind(k).value for k in kinds]),
    ).values(read_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def access_notification(session: Session, *, user: User, notification_id: int) -> Notification:
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user.id:
        raise NotFound()
    return found


def purge_read(session: Session, *, keep_days: int) -> int:
    """Delete notifications read more than `keep_days` ago (run by app/housekeeping.py)."""
    cutoff = utcnow() - dt.timedelta(days=keep_days)
    result = session.execute(delete(Notification).where(Notification.read_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- watching ------------------------------------------------------------------------------

def get_thread_level(session: Session, *, user_id: int, thread_id: int) -> WatchLevel | None:
    return session.scalar(select(ThreadWatch.level).where(ThreadWatch.user_id == user_id,
                                                           ThreadWatch.thread_id == thread_id))


def _take_turn(session: Session, user: User) -> None:
    """A member's watch and preference changes take turns: sent at once (a double click, a retrying
    client), the later ones read what the first wrote, instead of each inserting the same row (500)."""
    serialize(session, "notification-settings", user.id)


def set_thread_level(session: Session, *, user: User, thread: Thread, level: str) -> WatchLevel:
    """Watch, follow normally or mute a thread; muting also marks what it brought as read."""
    try:
        chosen = WatchLevel(level)
    except ValueError:
        raise ValidationFailed(N_("Choose watching, normal or muted."), field="level") from None
    _take_turn(session, user)
    watch = session.scalar(select(ThreadWatch).where(ThreadWatch.user_id == user.id,
                                                     ThreadWatch.thread_id == thread.id)
                           .execution_options(populate_existing=True))
    if watch is None:
        session.add(ThreadWatch(user_id=user.id, thread_id=thread.id, level=chosen, reason="chosen"))
    else:
        watch.level, watch.reason = chosen, "chosen"
    if chosen == WatchLevel.muted:
        session.execute(update(Notification).where(
            Notification.user_id == user.id, Notification.thread_id == thread.id, Notification.read_at.is_(None),
            Notification.kind.in_([k.value for k in PEER_KINDS]),
        ).values(read_at=utcnow()))
    return chosen


def get_category_level(session: Session, *, user_id: int, category_id: int) -> CategoryLevel:
    level = session.scalar(select(CategoryWatch.level).where(CategoryWatch.user_id == user_id,
                                                             CategoryWatch.category_id == category_id))
    return CategoryLevel(level) if level else CategoryLevel.normal


def set_category_level(session: Session, *, user: User, category: Category, level: str) -> CategoryLevel:
    try:
        chosen = CategoryLevel(level)
    except ValueError:
        raise ValidationFailed(N_("Choose every new post, new threads only, or normal."), field="level") from None
    if not can_see_category(user, category):
        raise NotFound()
    _take_turn(session, user)
    watch = session.scalar(select(CategoryWatch).where(CategoryWatch.user_id == user.id,
                                                       CategoryWatch.category_id == category.id)
                           .execution_options(populate_existing=True))
    if chosen == CategoryLevel.normal:
        if watch is not None:
            session.delete(watch)
    elif watch is None:
        session.add(CategoryWatch(user_id=user.id, category_id=category.id, level=chosen))
    else:
        watch.level = chosen
    return chosen


def _watch_statement(dialect: str, started: bool) -> Any:
    """Built once per shape (values bound at execution): no statement rebuilt and re-walked per post."""
    key = (dialect, started)
    statement = _WATCH_STATEMENTS.get(key)
    if statement is None:
        user_id = bindparam("user_id", type_=Integer())
        thread_id = bindparam("thread_id", type_=Integer())
        column = Preferences.watch_started if started else Preferences.watch_replied
        wanted = select(column).where(Preferences.user_id == user_id).scalar_subquery()
        chosen = select(ThreadWatch.id).where(ThreadWatch.user_id == user_id, ThreadWatch.thread_id == thread_id)
        rows = select(user_id, thread_id, literal(WatchLevel.watching.value),
                      literal("started" if started else "replied"), bindparam("created_at", type_=UTCDateTime())
                      ).where(func.coalesce(wanted, True), ~chosen.exists())
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = _WATCH_STATEMENTS[key] = insert(ThreadWatch).on_conflict_do_nothing().from_select(
            ["user_id", "thread_id", "level", "reason", "created_at"], rows)
    return statement


_WATCH_STATEMENTS: dict[tuple[str, bool], Any] = {}


def watch_automatically(session: Session, *, user_id: int, thread_id: int, started: bool) -> None:
    """A member who starts or answers a thread watches it, if their preference says so.

    One statement: nothing happens when they already chose a level for the
    thread (a muted thread stays muted) or switched the default off.
    """
    connection = autoflushed_connection(session)
    connection.execute(_watch_statement(connection.dialect.name, started),
                       {"user_id": user_id, "thread_id": thread_id, "created_at": utcnow()})


# --- the member's own data -----------------------------------------------------------------

def export_member_notifications(session: Session, *, user: User) -> dict[str, object]:
    """For the member's data download: their notifications (ids and kinds), watches and preferences."""
    notifications = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at)
    )
    threads = session.scalars(select(ThreadWatch).where(ThreadWatch.user_id == user.id).order_by(ThreadWatch.id))
    categories = session.scalars(select(CategoryWatch).where(CategoryWatch.user_id == user.id))
    prefs = get_preferences(session, user_id=user.id)
    return {
        "notifications": [
            {"id": n.id, "kind": n.kind, "thread_id": n.thread_id, "post_id": n.post_id, "actor_id": n.actor_id,
             "ref_id": n.ref_id, "reaction": n.detail or None, "count": n.count,
             "created_at": n.created_at.isoformat(), "read_at": n.read_at.isoformat() if n.read_at else None}
            for n in notifications
        ],
        "watched_threads": [{"thread_id": w.thread_id, "level": w.level, "reason": w.reason} for w in threads],
        "watched_categories": [{"category_id": w.category_id, "level": w.level} for w in categories],
        "preferences": {name: bool(getattr(prefs, name)) for name in PREFERENCE_FIELDS},
    }


def erase_member(session: Session, *, user: User) -> None:
    """Before an account is deleted: everything notifications keep about the member goes.

    The database would cascade too; doing it here keeps the erasure explicit and
    tested. Notifications the member caused for others keep no name (actor cleared).
    """
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(update(Notification).where(Notification.actor_id == user.id).values(actor_id=None))
    session.execute(delete(ThreadWatch).where(ThreadWatch.user_id == user.id))
    session.execute(delete(CategoryWatch).where(CategoryWatch.user_id == user.id))
    session.execute(delete(Preferences).where(Preferences.user_id == user.id))
