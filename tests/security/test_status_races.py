"""A post changes status once when requests race for it; counters stay exact (QA round 5, item 1).

Each request reads the post before it starts writing (SQLite: a deferred read
transaction; PostgreSQL: READ COMMITTED), so the second of two requests may
act on a status the first has already changed. The interleaved tests replay
that exactly, on SQLite and PostgreSQL; the threaded test races real requests.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Role, User
from app.db import Database
from app.errors import Conflict, NotFound
from app.forum import service
from app.forum.models import Post, PostRevision, PostStatus, Thread
from tests.factories import make_category, make_thread, make_user


def _arrange(session: Session, replies: int = 1) -> tuple[int, int, list[int]]:
    category = make_category(session)
    author = make_user(session, "Auteurice")
    thread = make_thread(session, category=category, author=author).thread
    post_ids = [service.reply(session, thread=thread, author=author, body=f"Réponse {n}, courage.").post.id
                for n in range(replies)]
    ids = author.id, thread.id, post_ids
    session.commit()  # and no more reads here: this session's next transaction would take the write lock
    return ids


def _loaded(session: Session, post_id: int) -> Post:
    post = session.scalar(select(Post).options(joinedload(Post.thread), joinedload(Post.author))
                          .where(Post.id == post_id))
    assert post is not None
    return post


def _assert_exact(session: Session, author_id: int, thread_id: int) -> None:
    session.expire_all()
    thread, author = session.get(Thread, thread_id), session.get(User, author_id)
    assert thread is not None and author is not None
    published_in_thread = session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == thread_id, Post.status == PostStatus.published))
    published_by_author = session.scalar(select(func.count(Post.id)).where(
        Post.author_id == author_id, Post.status == PostStatus.published))
    assert thread.post_count == published_in_thread
    assert author.published_posts == published_by_author + 1  # make_user starts members at one published post


def test_a_second_delete_that_read_the_post_before_the_first_committed_is_refused(db: Database,
                                                                               session: Session) -> None:
    author_id, thread_id, (post_id,) = _arrange(session)
    with db.request_session(write=True) as first, db.request_session(write=True) as second:
        post_a, post_b = _loaded(first, post_id), _loaded(second, post_id)  # both see it published
        actor_a, actor_b = first.get(User, author_id), second.get(User, author_id)
        assert actor_a is not None and actor_b is not None
        service.delete_post(first, post=post_a, actor=actor_a)
        first.commit()
        with pytest.raises(NotFound):
            service.delete_post(second, post=post_b, actor=actor_b)
        second.rollback()
    _assert_exact(session, author_id, thread_id)


def test_a_delete_and_a_moderators_hide_count_the_post_out_once(db: Database, session: Session) -> None:
    author_id, thread_id, (post_id,) = _arrange(session)
    with db.request_session(write=True) as member, db.request_session(write=True) as moderator:
        post_a, post_b = _loaded(member, post_id), _loaded(moderator, post_id)
        actor = member.get(User, author_id)
        assert actor is not None
        service.delete_post(member, post=post_a, actor=actor)
        member.commit()
        with pytest.raises(Conflict):  # the moderator decided on a post that is no longer there
            service.set_post_status(moderator, post=post_b, status=PostStatus.hidden)
        moderator.rollback()
    _assert_exact(session, author_id, thread_id)
    assert session.get(Post, post_id).status == PostStatus.deleted  # type: ignore[union-attr]


def test_a_hide_then_the_authors_delete_counts_the_post_out_once(db: Database, session: Session) -> None:
    author_id, thread_id, (post_id,) = _arrange(session)
    with db.request_session(write=True) as member, db.request_session(write=True) as moderator:
        post_a, post_b = _loaded(member, post_id), _loaded(moderator, post_id)
        actor = member.get(User, author_id)
        assert actor is not None
        service.set_post_status(moderator, post=post_b, status=PostStatus.hidden)
        moderator.commit()
        with pytest.raises(NotFound):  # hidden: no longer the author's to delete, as the page would say
            service.delete_post(member, post=post_a, actor=actor)
        member.rollback()
    _assert_exact(session, author_id, thread_id)
    assert session.get(Post, post_id).status == PostStatus.hidden  # type: ignore[union-attr]


def test_an_edit_does_not_rewrite_a_post_deleted_meanwhile(db: Database, session: Session) -> None:
    author_id, thread_id, (post_id,) = _arrange(session)
    with db.request_session(write=True) as deleting, db.request_session(write=True) as editing:
        post_a, post_b = _loaded(deleting, post_id), _loaded(editing, post_id)
        actor_a, actor_b = deleting.get(User, author_id), editing.get(User, author_id)
        assert actor_a is not None and actor_b is not None
        service.delete_post(deleting, post=post_a, actor=actor_a)
        deleting.commit()
        with pytest.raises(NotFound):
            service.edit_post(editing, post=post_b, editor=actor_b, body="Texte réécrit après coup.")
        editing.rollback()
    session.expire_all()
    post = session.get(Post, post_id)
    assert post is not None and post.status == PostStatus.deleted and post.body_md == "Réponse 0, courage."
    _assert_exact(session, author_id, thread_id)


def test_an_approval_does_not_publish_a_held_post_its_author_deleted(db: Database, session: Session) -> None:
    category = make_category(session)
    newcomer = make_user(session, "Nouvelle", approved_posts=0, published_posts=0)
    thread = make_thread(session, category=category, author=make_user(session, "Ancienne")).thread
    held = service.reply(session, thread=thread, author=newcomer, body="Premier message, bonjour.",
                         limits=None).post
    held.status = PostStatus.held  # as screening holds a newcomer's first post
    held_id, newcomer_id, thread_id = held.id, newcomer.id, thread.id
    session.commit()
    with db.request_session(write=True) as member, db.request_session(write=True) as moderator:
        post_a, post_b = _loaded(member, held_id), _loaded(moderator, held_id)
        actor = member.get(User, newcomer_id)
        assert actor is not None
        service.delete_post(member, post=post_a, actor=actor)
        member.commit()
        with pytest.raises(Conflict):
            service.publish_held_post(moderator, post=post_b)
        moderator.rollback()
    session.expire_all()
    assert session.get(Post, held_id).status == PostStatus.deleted  # type: ignore[union-attr]
    assert session.get(Thread, thread_id).post_count == 1  # type: ignore[union-attr]


def test_parallel_deletes_and_hides_leave_counters_exact(db: Database, session: Session) -> None:
    """4 posts, each deleted by its author 3 times at once and hidden by a moderator at the same moment."""
    author_id, thread_id, post_ids = _arrange(session, replies=4)
    moderator_id = make_user(session, "Moderatrice", role=Role.moderator, moderated_langs="fr").id
    session.commit()  # no more reads here
    jobs = [(post_id, kind) for post_id in post_ids for kind in ("delete", "delete", "delete", "hide")]
    start = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(post_id: int, kind: str) -> None:
        try:
            with db.request_session(write=True) as s:
                post = _loaded(s, post_id)
                actor = s.get(User, author_id if kind == "delete" else moderator_id)
                assert actor is not None
                start.wait()
                try:
                    if kind == "delete":
                        service.delete_post(s, post=post, actor=actor)
                    else:
                        service.set_post_status(s, post=post, status=PostStatus.hidden)
                    s.commit()
                    outcomes.append("done")
                except (NotFound, Conflict):
                    s.rollback()
                    outcomes.append("refused")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=job) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, [(e, e.__cause__) for e in errors[:3]]
    assert outcomes.count("done") == len(post_ids)  # one change per post; the others were told it had gone
    _assert_exact(session, author_id, thread_id)


def _revisions(session: Session, post_id: int) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(PostRevision.body_md).where(PostRevision.post_id == post_id)
                                .order_by(PostRevision.id)))


def test_an_edit_keeps_as_its_revision_the_text_a_concurrent_edit_just_saved(db: Database,
                                                                             session: Session) -> None:
    """Both edits read the post first; the second must keep the first's text, not the text both read."""
    author_id, _thread_id, (post_id,) = _arrange(session)
    with db.request_session(write=True) as first, db.request_session(write=True) as second:
        post_a, post_b = _loaded(first, post_id), _loaded(second, post_id)  # both read "Réponse 0, courage."
        editor_a, editor_b = first.get(User, author_id), second.get(User, author_id)
        assert editor_a is not None and editor_b is not None
        service.edit_post(first, post=post_a, editor=editor_a, body="Première correction, merci à vous.")
        first.commit()
        service.edit_post(second, post=post_b, editor=editor_b, body="Deuxième correction, courage à tous.")
        second.commit()
    assert _revisions(session, post_id) == ["Réponse 0, courage.", "Première correction, merci à vous."]
    assert session.get(Post, post_id).body_md == "Deuxième correction, courage à tous."  # type: ignore[union-attr]


def test_parallel_edits_keep_every_text_once_in_the_revisions(db: Database, session: Session) -> None:
    """6 edits of one post at once: the revisions and the post hold each text exactly once, none lost."""
    author_id, _thread_id, (post_id,) = _arrange(session)
    texts = [f"Version {n} de ma réponse, prenez soin de vous." for n in range(6)]
    start = threading.Barrier(len(texts))
    errors: list[BaseException] = []

    def run(text: str) -> None:
        try:
            with db.request_session(write=True) as s:
                post = _loaded(s, post_id)
                editor = s.get(User, author_id)
                assert editor is not None
                start.wait()
                service.edit_post(s, post=post, editor=editor, body=text)
                s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(text,)) for text in texts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, [(e, e.__cause__) for e in errors[:3]]
    revisions = _revisions(session, post_id)
    current = session.get(Post, post_id).body_md  # type: ignore[union-attr]
    assert revisions[0] == "Réponse 0, courage."
    assert sorted([*revisions, current]) == sorted(["Réponse 0, courage.", *texts])  # a chain: each text once


def test_a_moderators_edit_keeps_the_text_the_author_just_saved(db: Database, session: Session) -> None:
    author_id, _thread_id, (post_id,) = _arrange(session)
    moderator_id = make_user(session, "Moderateur", role=Role.moderator, moderated_langs="fr").id
    session.commit()  # no more reads here
    with db.request_session(write=True) as member, db.request_session(write=True) as moderation:
        post_a, post_b = _loaded(member, post_id), _loaded(moderation, post_id)
        author, moderator = member.get(User, author_id), moderation.get(User, moderator_id)
        assert author is not None and moderator is not None
        service.edit_post(member, post=post_a, editor=author, body="Ma version corrigée, avec un numéro 0470.")
        member.commit()
        service.moderator_edit(moderation, post=post_b, editor=moderator, body="Ma version corrigée.")
        moderation.commit()
    assert _revisions(session, post_id) == ["Réponse 0, courage.", "Ma version corrigée, avec un numéro 0470."]
