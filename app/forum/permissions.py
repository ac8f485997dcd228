"""Load-and-authorise functions: a missing and a forbidden object look the same (404)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.errors import NotFound, PermissionDenied
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.i18n_markers import N_


def can_see_category(viewer: User | None, category: Category) -> bool:
    return category.visibility == Visibility.public or viewer is not None


def can_see_thread(viewer: User | None, thread: Thread) -> bool:
    if not can_see_category(viewer, thread.category):
        return False
    if thread.status == PostStatus.published:
        return True
    if viewer is None:
        return False
    return viewer.is_moderator or (thread.status == PostStatus.held and thread.author_id == viewer.id)


def can_see_post_body(viewer: User | None, post: Post) -> bool:
    if post.status == PostStatus.published:
        return True
    if viewer is None:
        return False
    if viewer.is_moderator:
        return True  # moderators see every version, deleted ones included
    return post.status == PostStatus.held and post.author_id == viewer.id


def can_edit_post(viewer: User | None, post: Post) -> bool:
    return (
        viewer is not None
        and post.author_id == viewer.id
        and post.status in (PostStatus.published, PostStatus.held)
    )


def can_reply(viewer: User | None, thread: Thread) -> bool:
    """Members reply to threads they can see; a locked thread only takes moderators' replies."""
    return viewer is not None and (not thread.locked or viewer.is_moderator)


def can_see_revisions(viewer: User | None, post: Post) -> bool:
    return viewer is not None and (viewer.is_moderator or post.author_id == viewer.id)


def can_set_flags(viewer: User | None) -> bool:
    """Pinning and locking threads is for administrators."""
    return viewer is not None and viewer.is_admin


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

    def set_flags(self) -> bool:
        return can_set_flags(self.viewer)


def access_category(session: Session, viewer: User | None, slug: str) -> Category:
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None or not can_see_category(viewer, category):
        raise NotFound()
    return category


def access_thread(session: Session, viewer: User | None, thread_id: int, *, for_write: bool = False) -> Thread:
    thread = session.scalar(select(Thread).options(joinedload(Thread.category)).where(Thread.id == thread_id))
    if thread is None or not can_see_thread(viewer, thread):
        raise NotFound()
    if for_write:
        if viewer is None:
            raise NotFound()
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
    if post.status in (PostStatus.held, PostStatus.hidden) and not can_see_post_body(viewer, post):
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
