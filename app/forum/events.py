"""What the forum announces to the domains built on it (review, notifications).

The forum imports none of its listeners: a domain above it subscribes once at
start-up (app/wiring.py), so the arrows between packages stay one-way.
Listeners run at once, in the caller's session and transaction: what they
write commits, or rolls back, with the post.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum.models import Category, Post, Thread
from app.forum.screening import Screening


@dataclass(frozen=True)
class PostScreened:
    """A post was written or edited and screened; its status already reflects the screening."""

    session: Session
    post: Post
    screening: Screening
    edited: bool


@dataclass(frozen=True)
class PostEditing:
    """Its author is about to change a post's text: sent before the post's row is locked.

    What others judged on the text as it was (a moderator's open review item) must
    learn it changed, in the same transaction as the edit; listeners lock what they
    change here, before the post, in the order a moderator's decision takes them.
    """

    session: Session
    post: Post


@dataclass(frozen=True)
class ThreadFlagsChanged:
    """Staff pinned, unpinned, locked or unlocked a thread (one event per change)."""

    session: Session
    thread: Thread
    actor: User
    action: str  # "pin", "unpin", "lock", "unlock"


@dataclass(frozen=True)
class PostPublished:
    """A post became visible to readers: written as published, or released from review.

    `mentioned_ids` and `quoted_ids` are the members it names (forum/references.py),
    never its author. `first_in_thread` is true for the post that opens a thread.
    """

    session: Session
    post: Post
    thread: Thread
    first_in_thread: bool
    mentioned_ids: tuple[int, ...]
    quoted_ids: tuple[int, ...]


@dataclass(frozen=True)
class PostEdited:
    """A published post was edited and is still published; only the members it newly names."""

    session: Session
    post: Post
    thread: Thread
    mentioned_ids: tuple[int, ...]
    quoted_ids: tuple[int, ...]
    urgent: bool  # the new text was screened as a crisis


@dataclass(frozen=True)
class PostRemoved:
    """Published posts are no longer shown: deleted by their author or erased with an account.

    A moderator's hide or removal (set_post_status, called by review) announces
    nothing: it may be reversed on appeal, and what reads posts checks their status.
    """

    session: Session
    post_ids: tuple[int, ...]
    how: str  # "deleted" or "erased"


@dataclass(frozen=True)
class ReactionChanged:
    """A member gave (or took back) a supportive reaction to a published post."""

    session: Session
    post: Post
    user: User
    kind: str
    given: bool


@dataclass
class ThreadShown:
    """A thread page is being rendered: listeners may add to its template context.

    This is how a domain above the forum puts its controls on a forum page (the
    viewer's watch level, for instance) without the forum importing it.
    """

    session: Session
    viewer: User | None
    thread: Thread
    context: dict[str, Any]
    post_ids: tuple[int, ...] = ()  # the posts on the page being shown
    # What the page read for the member through queries.READER_STATE_PARTS, by name; None when it
    # did not (visitors, moderators): a listener then asks for itself.
    reader_parts: dict[str, Any] | None = None


@dataclass
class CategoryShown:
    """A category page is being rendered: listeners may add to its template context."""

    session: Session
    viewer: User | None
    category: Category
    context: dict[str, Any]


E = TypeVar("E")
_listeners: defaultdict[type, list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E], listener: Callable[[E], None]) -> None:
    """Call `listener` for every event of this type; subscribing twice is harmless."""
    if listener not in _listeners[event_type]:
        _listeners[event_type].append(listener)


def publish(event: object) -> None:
    for listener in _listeners[type(event)]:
        listener(event)


def listeners(event_type: type) -> list[Callable[[Any], None]]:
    return list(_listeners[event_type])
