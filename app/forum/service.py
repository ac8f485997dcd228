"""Forum operations: threads, replies, edits, deletions, reactions, visits, staff flags."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import markdown
from app.accounts.models import User
from app.content_notes import is_content_note
from app.db import utcnow
from app.errors import PermissionDenied, ValidationFailed
from app.forum import events
from app.forum.models import (
    Category,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from app.forum.permissions import access_post, can_set_flags
from app.forum.screening import Screening, screen
from app.i18n import LOCALES
from app.i18n_markers import N_

TITLE_MIN, TITLE_MAX = 3, 200


class WordingReview(Exception):
    """Stigma findings the member has not yet seen: the composer shows them first.

    Never raised for the JSON API, which returns findings with the created post:
    wording alone never stops a post.
    """

    def __init__(self, screening: Screening) -> None:
        super().__init__("wording review")
        self.screening = screening


@dataclass
class Posted:
    post: Post
    thread: Thread
    screening: Screening


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationFailed(N_("A title has between %(min)s and %(max)s characters."), field="title",
                               min=TITLE_MIN, max=TITLE_MAX)
    return title


def _clean_body(body: str, max_chars: int) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed(N_("Your message is empty."), field="body")
    if len(body) > max_chars:
        raise ValidationFailed(N_("Your message is too long (%(max)s characters at most)."), field="body",
                               max=max_chars)
    return body


def _clean_note(note: str | None) -> str | None:
    if not note:
        return None
    if not is_content_note(note):
        raise ValidationFailed(N_("Unknown content note."), field="content_note")
    return note


def _newcomer_hold(category: Category, author: User) -> bool:
    return category.premoderate_newcomers and author.published_posts == 0 and not author.is_moderator


def _publish_counts(thread: Thread, author: User | None, post: Post, delta: int) -> None:
    thread.post_count += delta
    if delta > 0:
        thread.last_post_at = max(thread.last_post_at, post.created_at)
    if author is not None:
        author.published_posts = max(0, author.published_posts + delta)


def create_thread(session: Session, *, category: Category, author: User, title: str, body: str, lang: str,
                  content_note: str | None = None, max_chars: int = 20000,
                  wording_confirmed: bool = True) -> Posted:
    title = _clean_title(title)
    body = _clean_body(body, max_chars)
    if lang not in LOCALES:
        raise ValidationFailed(N_("Choose the language of your thread."), field="lang")
    note = _clean_note(content_note)
    screening = screen(title=title, body=body, lang=lang, newcomer_hold=_newcomer_hold(category, author))
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    now = utcnow()
    thread = Thread(category_id=category.id, author_id=author.id, title=title, lang=lang,
                    status=screening.status, last_post_at=now, created_at=now, post_count=0)
    thread.category = category  # loaded, so callers may reply to the new thread at once
    session.add(thread)
    session.flush()
    post = _add_post(session, thread=thread, author=author, body=body, note=note, screening=screening)
    return Posted(post=post, thread=thread, screening=screening)


def reply(session: Session, *, thread: Thread, author: User, body: str, content_note: str | None = None,
          max_chars: int = 20000, wording_confirmed: bool = True) -> Posted:
    body = _clean_body(body, max_chars)
    note = _clean_note(content_note)
    screening = screen(title="", body=body, lang=thread.lang, newcomer_hold=_newcomer_hold(thread.category, author))
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    post = _add_post(session, thread=thread, author=author, body=body, note=note, screening=screening)
    return Posted(post=post, thread=thread, screening=screening)


def _add_post(session: Session, *, thread: Thread, author: User, body: str, note: str | None,
              screening: Screening) -> Post:
    post = Post(thread_id=thread.id, author_id=author.id, body_md=body, body_html=markdown.render(body),
                status=screening.status, content_note=note, notices=",".join(screening.notices),
                created_at=utcnow())
    session.add(post)
    session.flush()
    if post.status == PostStatus.published:
        _publish_counts(thread, author, post, +1)
    events.publish(events.PostScreened(session=session, post=post, screening=screening, edited=False))
    return post


def edit_post(session: Session, *, post: Post, editor: User, body: str, content_note: str | None = None,
              max_chars: int = 20000, wording_confirmed: bool = True) -> Posted:
    """Keep the previous text as a revision, re-screen, and re-render."""
    body = _clean_body(body, max_chars)
    note = _clean_note(content_note)
    thread = post.thread
    screening = screen(title="", body=body, lang=thread.lang, newcomer_hold=False)
    if screening.stigma and not wording_confirmed:
        raise WordingReview(screening)
    if body != post.body_md:
        session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_md=post.body_md))
    was_published = post.status == PostStatus.published
    post.body_md = body
    post.body_html = markdown.render(body)
    post.content_note = note
    post.notices = ",".join(screening.notices)
    post.edited_at = utcnow()
    if screening.held and was_published:
        post.status = PostStatus.held
        _publish_counts(thread, post.author, post, -1)
    # Review may release a post held only for what this edit removed (publish_held_post).
    events.publish(events.PostScreened(session=session, post=post, screening=screening, edited=True))
    _sync_thread_status(session, thread, post)
    return Posted(post=post, thread=thread, screening=screening)


def publish_held_post(session: Session, *, post: Post) -> None:
    """A held post goes out: it is counted, and its thread follows it if it is the first post."""
    if post.status != PostStatus.held:
        return
    thread = session.get(Thread, post.thread_id)
    author = session.get(User, post.author_id) if post.author_id is not None else None
    assert thread is not None
    post.status = PostStatus.published
    _publish_counts(thread, author, post, +1)
    _sync_thread_status(session, thread, post)


def _sync_thread_status(session: Session, thread: Thread, post: Post) -> None:
    """A thread follows its first post in and out of the review queue."""
    first_id = session.scalar(
        select(Post.id).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id).limit(1)
    )
    follows = first_id == post.id and post.status in (PostStatus.held, PostStatus.published)
    if follows and thread.status != post.status:
        thread.status = post.status


def delete_post(session: Session, *, post: Post, actor: User) -> None:
    """Soft delete by its author: the text is kept for the audit trail, never shown again."""
    if post.author_id != actor.id:
        raise PermissionDenied()
    if post.status == PostStatus.published:
        _publish_counts(post.thread, post.author, post, -1)
    post.status = PostStatus.deleted
    post.edited_at = utcnow()


def toggle_reaction(session: Session, *, post: Post, user: User, kind: str) -> bool:
    """Give or take back one supportive reaction; True when it is now given."""
    if kind not in {k.value for k in ReactionKind}:
        raise ValidationFailed(N_("Unknown reaction."), field="kind")
    if post.status != PostStatus.published:
        raise PermissionDenied()
    removed = session.execute(
        delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        return False
    try:
        with session.begin_nested():
            session.add(Reaction(post_id=post.id, user_id=user.id, kind=ReactionKind(kind)))
    except IntegrityError:  # a double click raced us; the reaction is there either way
        pass
    return True


def record_visit(session: Session, *, user: User, thread: Thread) -> None:
    now = utcnow()
    updated = session.execute(
        update(ThreadVisit).where(ThreadVisit.user_id == user.id, ThreadVisit.thread_id == thread.id)
        .values(visited_at=now)
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        session.add(ThreadVisit(user_id=user.id, thread_id=thread.id, visited_at=now))
        session.flush()


def set_flags(session: Session, *, thread: Thread, actor: User, pinned: bool | None = None,
              locked: bool | None = None) -> None:
    """Pin or lock a thread (staff only); each change is announced, and so audited."""
    if not can_set_flags(actor):
        raise PermissionDenied()
    if pinned is not None and pinned != thread.pinned:
        thread.pinned = pinned
        events.publish(events.ThreadFlagsChanged(session=session, thread=thread, actor=actor,
                                                 action="pin" if pinned else "unpin"))
    if locked is not None and locked != thread.locked:
        thread.locked = locked
        events.publish(events.ThreadFlagsChanged(session=session, thread=thread, actor=actor,
                                                 action="lock" if locked else "unlock"))


def reply_quote(session: Session, *, viewer: User, thread: Thread, post_id: int) -> str:
    """The reply box's first text when a member quotes a post: a Markdown blockquote.

    Empty when the post is from another thread or not published; a post the
    viewer may not see is not found.
    """
    quoted = access_post(session, viewer, post_id)
    if quoted.thread_id != thread.id or quoted.status != PostStatus.published:
        return ""
    return markdown.quote(quoted.author.pseudonym if quoted.author else "", quoted.body_md)


def list_revisions(session: Session, *, post: Post) -> list[PostRevision]:
    return list(session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.created_at.desc())
    ))


def export_member_content(session: Session, *, user: User) -> dict[str, object]:
    """A member's own posts and reactions, for their data download."""
    posts = session.execute(
        select(Post.id, Post.thread_id, Thread.title, Post.body_md, Post.status, Post.created_at, Post.edited_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.created_at)
    ).all()
    reactions = session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.created_at).where(Reaction.user_id == user.id)
    ).all()
    return {
        "posts": [
            {"id": p.id, "thread_id": p.thread_id, "thread_title": p.title, "body": p.body_md, "status": p.status,
             "created_at": p.created_at.isoformat(), "edited_at": p.edited_at.isoformat() if p.edited_at else None}
            for p in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind, "created_at": r.created_at.isoformat()} for r in reactions
        ],
    }


def erase_member_posts(session: Session, *, user: User) -> list[int]:
    """Before an account is deleted: erase the text of all its posts; returns their ids.

    Erased posts keep their place in threads as "deleted" placeholders, so
    replies still make sense; their text and every earlier version are gone.
    Changes go through the ORM, so the search outbox records each of them.
    """
    posts = list(session.scalars(select(Post).where(Post.author_id == user.id)))
    published: dict[int, int] = {}
    for post in posts:
        if post.status == PostStatus.published:
            published[post.thread_id] = published.get(post.thread_id, 0) + 1
    for thread in session.scalars(select(Thread).where(Thread.id.in_(published))):
        thread.post_count -= published[thread.id]
    post_ids = [post.id for post in posts]
    session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
    now = utcnow()
    for post in posts:
        post.status, post.body_md, post.body_html, post.content_note, post.edited_at = (
            PostStatus.deleted, "", "", None, now)
    session.flush()
    for thread in session.scalars(select(Thread).where(Thread.author_id == user.id, Thread.post_count <= 0)):
        thread.status = PostStatus.deleted
    session.flush()
    return post_ids
