"""Load-and-authorise functions: a missing and a forbidden object look the same (404)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.db import RowLoader, autoflushed_connection
from app.errors import NotFound, PermissionDenied
from app.forum.errors import MemberRestricted
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.i18n_markers import N_

# Statuses in which a post (or thread) is out of others' sight but still shown to its author:
# waiting for a moderator, or hidden or removed by one (the statement of reasons says why).
AUTHOR_ONLY = (PostStatus.held, PostStatus.hidden, PostStatus.removed)


def can_see_category(viewer: User | None, category: Category) -> bool:
    return category.visibility == Visibility.public or (viewer is not None and viewer.has_member_access)


def can_see_thread(viewer: User | None, thread: Thread) -> bool:
    if not can_see_category(viewer, thread.category):
        return False
    if thread.status == PostStatus.published:
        return True
    if viewer is None:
        return False
    return viewer.is_moderator or (thread.status in AUTHOR_ONLY and thread.author_id == viewer.id)


def can_see_post_body(viewer: User | None, post: Post) -> bool:
    if post.status == PostStatus.published:
        return True
    if viewer is None or post.withheld_status is not None:
        return False  # withheld: its author asked for its erasure (forum/erasure.py), nobody reads it meanwhile
    if viewer.is_moderator:
        return True  # moderators see every version, deleted ones included
    return post.status in AUTHOR_ONLY and post.author_id == viewer.id


def can_edit_post(viewer: User | None, post: Post) -> bool:
    return (
        viewer is not None
        and post.author_id == viewer.id
        and post.status in (PostStatus.published, PostStatus.held)
    )


def can_reply(viewer: User | None, thread: Thread) -> bool:
    """Members reply to threads they can see; a locked thread only takes moderators' replies."""
    return viewer is not None and viewer.can_write and (not thread.locked or viewer.is_moderator)


def can_see_revisions(viewer: User | None, post: Post) -> bool:
    return viewer is not None and post.withheld_status is None and (viewer.is_moderator or post.author_id == viewer.id)


def can_moderate_thread(viewer: User | None, thread: Thread) -> bool:
    """Moderators of the thread's language (admins: every language) act on it and its posts."""
    return viewer is not None and viewer.moderates(thread.lang)


def can_set_flags(viewer: User | None, thread: Thread) -> bool:
    """Pinning and locking threads is for the thread language's moderators."""
    return can_moderate_thread(viewer, thread)


def can_report(viewer: User | None, post: Post) -> bool:
    """Anyone who can read a published post may report it, except its own author."""
    return post.status == PostStatus.published and (viewer is None or post.author_id != viewer.id)


@dataclass(frozen=True)
class ForumPermissions:
    """The `can_*` answers for one viewer, as templates ask them: `can.edit(post)`."""

    viewer: User | None

    def edit(self, post: Post) -> bool:
        return can_edit_post(self.viewer, post)

    def see_body(self, post: Post) -> bool:
        return can_see_post_body(self.viewer, post)

    def see_revisions(self, post: Post) -> bool:
        return can_see_revisions(self.viewer, post)

    def reply(self, thread: Thread) -> bool:
        return can_reply(self.viewer, thread)

    def set_flags(self, thread: Thread) -> bool:
        return can_set_flags(self.viewer, thread)

    def moderate(self, thread: Thread) -> bool:
        return can_moderate_thread(self.viewer, thread)

    def report(self, post: Post) -> bool:
        return can_report(self.viewer, post)


def access_category(session: Session, viewer: User | None, slug: str) -> Category:
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None or not can_see_category(viewer, category):
        raise NotFound()
    return category


@functools.cache
def _thread_lookup() -> tuple[Select, RowLoader, RowLoader]:
    """A thread with its category; built once (building and hashing a statement costs more than running it).

    A Core select of both rows, made into the objects `select(Thread).options(joinedload(Thread.category))`
    would load, without the ORM's per-execution work (app.db.RowLoader).
    """
    threads, categories = RowLoader(Thread), RowLoader(Category)
    statement = (select(*threads.columns(), *categories.columns())
                 .join_from(Thread, Category, Thread.category_id == Category.id)
                 .where(Thread.id == bindparam("thread_id", type_=Integer)))
    return statement, threads, categories


def load_thread(session: Session, thread_id: int) -> Thread | None:
    """The thread with its category loaded (None: no such thread)."""
    statement, threads, categories = _thread_lookup()
    row = autoflushed_connection(session).execute(statement, {"thread_id": thread_id}).first()
    if row is None:
        return None
    thread: Thread = threads.load(session, row)
    if "category" not in thread.__dict__:
        set_committed_value(thread, "category", categories.load(session, row, threads.width))
    return thread


def access_thread(session: Session, viewer: User | None, thread_id: int, *, for_write: bool = False) -> Thread:
    thread = load_thread(session, thread_id)
    if thread is None or not can_see_thread(viewer, thread):
        raise NotFound()
    if for_write:
        if viewer is None:
            raise NotFound()
        if not viewer.can_write:
            raise MemberRestricted(viewer)
        if not can_reply(viewer, thread):
            raise PermissionDenied(N_("This thread is locked: no new replies."))
    return thread


def access_post(session: Session, viewer: User | None, post_id: int, *, for_edit: bool = False) -> Post:
    post = session.scalar(
        select(Post)
        .options(joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author))
        .where(Post.id == post_id)
    )
    if post is None or not can_see_thread(viewer, post.thread):
        raise NotFound()
    if post.status in AUTHOR_ONLY and not can_see_post_body(viewer, post):
        raise NotFound()
    if for_edit and not can_edit_post(viewer, post):
        raise NotFound()
    return post


def access_revisions(session: Session, viewer: User | None, post_id: int) -> Post:
    """A post whose earlier versions the viewer may read (its author and moderators)."""
    post = access_post(session, viewer, post_id)
    if not can_see_revisions(viewer, post):
        raise NotFound()
    return post
