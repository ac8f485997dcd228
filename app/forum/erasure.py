"""A member's posts when their account is erased: withheld during the grace period, erased at its end.

The member chooses, when they ask for their account's erasure, whether their
posts stay (signed "former member" once the erasure is final) or their text
goes. Text they asked to erase is health data they took back: it is hidden from
everyone at once (`withdraw_member_posts`), not a week later, yet only
withheld, because logging in before the erasure is final cancels it and brings
everything back as it was (`restore_member_posts`). At the end of the grace
period `erase_member_posts` erases the text for good.

Withheld posts are "deleted" placeholders to every reader, moderators included,
and leave the search index and research exports (which take published posts
only) through the same paths as a post its author deleted. Threads the member
started go out of sight when nobody else's post remains in them; otherwise they
stay for the others' replies under a neutral title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.forum import events, quotes
from app.forum.models import Post, PostRevision, PostStatus, Thread
from app.i18n import translations
from app.i18n_markers import N_

#: The title a thread keeps while (and after) its author's text is erased, in the thread's language.
WITHDRAWN_TITLE = N_("Title removed at its author's request")
#: Statuses in which others read a post (or moderators review it): what is withheld. Hidden and removed
#: posts are out of members' sight already and stay as the moderators left them.
_WITHHELD = (PostStatus.published, PostStatus.held)


def withdrawn_title(lang: str) -> str:
    return translations(lang).gettext(WITHDRAWN_TITLE)


def _count_in_threads(session: Session, per_thread: Counter[int], sign: int) -> None:
    """Published posts counted out of (or back into) their threads, one statement per thread."""
    for thread_id, count in sorted(per_thread.items()):
        session.execute(update(Thread).where(Thread.id == thread_id)
                        .values(post_count=Thread.post_count + sign * count),
                        execution_options={"synchronize_session": "fetch"})


def withdraw_member_posts(session: Session, *, user: User) -> list[int]:
    """Hide the text of the member's posts and threads from everyone now; returns the posts' ids.

    Idempotent (housekeeping runs it again for every account awaiting erasure
    with its posts). Through the ORM, so the search outbox and the visitors'
    page versions follow every change.
    """
    posts = list(session.scalars(select(Post).where(Post.author_id == user.id, Post.status.in_(_WITHHELD))
                                 .order_by(Post.id).with_for_update()))
    _count_in_threads(session, Counter(p.thread_id for p in posts if p.status == PostStatus.published), -1)
    for post in posts:
        post.withheld_status, post.status = post.status, PostStatus.deleted
    session.flush()
    # Threads withheld out of sight before their titles were withheld too come back for the title alone.
    threads = session.scalars(select(Thread).where(
        Thread.author_id == user.id, Thread.withheld_title.is_(None),
        (Thread.status != PostStatus.deleted) | Thread.withheld_status.is_not(None)).order_by(Thread.id))
    for thread in threads:
        if thread.post_count <= 0 and thread.withheld_status is None:  # nobody else's post is left to read there
            thread.withheld_status, thread.status = thread.status, PostStatus.deleted
        # Neutral even out of sight: moderators still open deleted threads, and the queue names them.
        thread.withheld_title, thread.title = thread.title, withdrawn_title(thread.lang)
    session.flush()
    return [post.id for post in posts]


def restore_member_posts(session: Session, *, user: User) -> int:
    """The member logged in again before the erasure was final: their posts and threads come back as they were.

    A post someone else changed meanwhile (a moderator's decision) keeps that
    change. Returns how many posts came back.
    """
    posts = list(session.scalars(select(Post).where(Post.author_id == user.id, Post.withheld_status.is_not(None))
                                 .order_by(Post.id).with_for_update()))
    back = []
    for post in posts:
        if post.status == PostStatus.deleted and post.withheld_status is not None:
            post.status = PostStatus(post.withheld_status)
            back.append(post)
        post.withheld_status = None
    session.flush()
    _count_in_threads(session, Counter(p.thread_id for p in back if p.status == PostStatus.published), +1)
    threads = session.scalars(select(Thread).where(
        Thread.author_id == user.id, Thread.withheld_status.is_not(None) | Thread.withheld_title.is_not(None)))
    for thread in threads:
        if thread.withheld_status is not None and thread.status == PostStatus.deleted:
            thread.status = PostStatus(thread.withheld_status)
        if thread.withheld_title is not None:
            thread.title = thread.withheld_title
        thread.withheld_status = thread.withheld_title = None
    session.flush()
    return len(back)


def erase_member_posts(session: Session, *, user: User) -> list[int]:
    """Before an account is deleted: erase the text of all its posts; returns their ids.

    Erased posts keep their place in threads as "deleted" placeholders, so
    replies still make sense; their text and every earlier version are gone.
    The titles of threads the member started go too: a thread with nobody
    else's post goes out of sight, one with others' replies keeps a neutral
    title. Changes go through the ORM, so the search outbox records each of them.
    """
    posts = list(session.scalars(select(Post).where(Post.author_id == user.id)))
    _count_in_threads(session, Counter(p.thread_id for p in posts if p.status == PostStatus.published), -1)
    post_ids = [post.id for post in posts]
    session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
    now = utcnow()
    for post in posts:
        post.status, post.body_md, post.body_html, post.content_note, post.edited_at = (
            PostStatus.deleted, "", "", None, now)
        post.withheld_status = None
    session.flush()
    for thread in session.scalars(select(Thread).where(Thread.author_id == user.id)):
        if thread.post_count <= 0:
            thread.status = PostStatus.deleted
        thread.title = withdrawn_title(thread.lang)  # the member's words too, even out of sight
        thread.withheld_status = thread.withheld_title = None
    session.flush()
    # Others' quotes of these posts are the member's words too: out of their posts and every version of them.
    quotes.erase_quotes_of(session, pseudonym=user.pseudonym, thread_ids=sorted({p.thread_id for p in posts}))
    if post_ids:
        events.publish(events.PostRemoved(session=session, post_ids=tuple(post_ids), how="erased"))
    return post_ids


def posts_naming_member(session: Session, *, user: User) -> list[int]:
    """Others' posts that may mention or quote the member, as they are before the final erasure."""
    return quotes.posts_naming(session, pseudonym=user.pseudonym)


def erase_mentions_of_member(session: Session, *, user: User, naming: Sequence[int] | None = None) -> list[int]:
    """Before an account is deleted, whatever becomes of its posts: others' @mentions of it lose the name.

    The pseudonym is free once the account is gone (anyone may take it): see quotes.erase_mentions_of
    (`naming`: the posts `posts_naming_member` found at the start of the erasure).
    """
    return quotes.erase_mentions_of(session, pseudonym=user.pseudonym, naming=naming)
