"""Counters stay exact when members post at once, on SQLite and PostgreSQL (issue 9, item 11)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.db import Database
from app.forum import service
from app.forum.models import Post, PostStatus, Thread
from tests.factories import make_category, make_thread, make_user

WRITERS = 16
POSTS_EACH = 12


def test_post_counts_are_exact_after_concurrent_posting(db: Database, session: Session) -> None:
    category = make_category(session)
    authors = [make_user(session, f"Ecrivain{i}") for i in range(WRITERS)]
    threads = [make_thread(session, category=category, author=authors[0]).thread for _ in range(2)]
    author_ids, thread_ids = [a.id for a in authors], [t.id for t in threads]
    session.commit()  # and no more reads here: this session's next transaction would take the write lock
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(index: int) -> None:
        try:
            start.wait()
            for n in range(POSTS_EACH):
                with db.request_session(write=True) as s:  # as a request that posts
                    author = s.get(User, author_ids[index])
                    thread = s.scalar(select(Thread).options(joinedload(Thread.category))
                                      .where(Thread.id == thread_ids[n % 2]))
                    assert author is not None and thread is not None
                    posted = service.reply(s, thread=thread, author=author, body=f"Message {index}-{n}, courage.")
                    if n % 5 == 4:  # some posts are deleted again, counting down
                        service.delete_post(s, post=_loaded(s, posted.post.id), actor=author)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, [(e, e.__cause__) for e in errors[:3]]
    session.expire_all()
    for thread_id in thread_ids:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        published = session.scalar(select(func.count(Post.id)).where(
            Post.thread_id == thread_id, Post.status == PostStatus.published))
        latest = session.scalar(select(func.max(Post.created_at)).where(Post.thread_id == thread_id))
        assert thread.post_count == published
        assert thread.last_post_at == latest
    for author_id in author_ids:
        user = session.get(User, author_id)
        assert user is not None
        published = session.scalar(select(func.count(Post.id)).where(
            Post.author_id == author_id, Post.status == PostStatus.published))
        assert user.published_posts == published + 1  # make_user starts members at one published post


def _loaded(session: Session, post_id: int) -> Post:
    post = session.scalar(select(Post).options(joinedload(Post.thread), joinedload(Post.author))
                          .where(Post.id == post_id))
    assert post is not None
    return post
