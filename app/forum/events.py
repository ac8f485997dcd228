"""What the forum announces to the domains built on it (review today; notifications later).

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
from app.forum.models import Post, Thread
from app.forum.screening import Screening


@dataclass(frozen=True)
class PostScreened:
    """A post was written or edited and screened; its status already reflects the screening."""

    session: Session
    post: Post
    screening: Screening
    edited: bool


@dataclass(frozen=True)
class ThreadFlagsChanged:
    """Staff pinned, unpinned, locked or unlocked a thread (one event per change)."""

    session: Session
    thread: Thread
    actor: User
    action: str  # "pin", "unpin", "lock", "unlock"


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
