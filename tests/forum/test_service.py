"""Forum operations on a real database: validation, counters, holds, edits, reactions, flags, erasure."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.db import Database
from app.errors import PermissionDenied, ValidationFailed
from app.forum import erasure, events, service
from app.forum.models import Category, Post, PostRevision, PostStatus, Reaction, Thread, ThreadVisit
from app.forum.permissions import access_post
from app.forum.screening import Screening
from app.review.models import AuditEntry, Finding, ReviewItem
from tests.factories import make_category, make_reply, make_thread, make_user

PHONE = "Appelle-moi au 0470 12 34 56 si tu veux parler."
SOURCING = "Je vends mes comprimés de Xanax, envoie-moi un message privé."


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"title": "ab"}, "title"), ({"title": "x" * 201}, "title"), ({"body": "   "}, "body"),
    ({"body": "x" * 30}, "body"), ({"lang": "de"}, "lang"), ({"content_note": "gore"}, "content_note"),
    # Text-direction controls in a title spoof what readers see ("\u202e" shows what follows backwards).
    ({"title": "Mon sevrage \u202eexe.gpj"}, "title"), ({"title": "Titre \u2067isolé\u2069"}, "title"),
    ({"title": "a\u200b\u200bb"}, "title"),
    # Spaces and zero-width characters draw nothing: an empty post, like one of spaces only.
    ({"body": " \u200b\u200c\u200d \u2060\ufeff "}, "body"), ({"body": "\u3164\u2800\u00ad"}, "body"),
])
def test_bad_threads_name_the_field(session: Session, kwargs: dict[str, str], field: str) -> None:
    author = make_user(session)
    data = {"title": "Un titre", "body": "Bonjour", "lang": "fr", **kwargs}
    with pytest.raises(ValidationFailed) as error:
        service.create_thread(session, category=make_category(session), author=author, max_chars=20, **data)
    assert error.value.field == field
    assert session.scalar(select(func.count(Thread.id))) == 0


def test_a_reply_of_zero_width_characters_is_refused_as_empty(session: Session) -> None:
    posted = make_thread(session, category=make_category(session), author=make_user(session))
    with pytest.raises(ValidationFailed) as error:
        make_reply(session, posted=posted, author=make_user(session), body="\u200b\ufeff\n\u2060 \u200d")
    assert error.value.field == "body" and error.value.message == "Your message is empty."
    # A real message that holds a zero-width joiner (an emoji sequence) is still welcome.
    make_reply(session, posted=posted, author=make_user(session), body="Courage \U0001f469\u200d\U0001f467")


def test_published_posts_are_counted_on_the_thread_and_the_author(session: Session) -> None:
    author, replier = make_user(session, published_posts=0), make_user(session, published_posts=0)
    posted = make_thread(session, category=make_category(session), author=author)
    reply = make_reply(session, posted=posted, author=replier)
    assert posted.thread.post_count == 2 and author.published_posts == 1 and replier.published_posts == 1
    assert posted.thread.last_post_at == reply.post.created_at
    service.delete_post(session, post=access_post(session, replier, reply.post.id), actor=replier)
    assert posted.thread.post_count == 1 and replier.published_posts == 0
    assert reply.post.status == PostStatus.deleted and reply.post.body_md  # soft: kept for the audit trail


def test_only_the_author_deletes(session: Session) -> None:
    posted = make_thread(session, category=make_category(session), author=make_user(session))
    with pytest.raises(PermissionDenied):
        service.delete_post(session, post=posted.post, actor=make_user(session, role=Role.moderator))


def test_held_posts_are_not_counted_until_released(session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, body=SOURCING)
    assert posted.post.status == PostStatus.held and posted.thread.status == PostStatus.held
    assert posted.thread.post_count == 0
    service.publish_held_post(session, post=posted.post)
    assert posted.post.status == PostStatus.published and posted.thread.status == PostStatus.published
    assert posted.thread.post_count == 1
    service.publish_held_post(session, post=posted.post)  # twice is harmless
    assert posted.thread.post_count == 1


def test_an_edit_keeps_the_earlier_text_and_rescreens(session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, body="Premier jet")
    post = access_post(session, author, posted.post.id, for_edit=True)
    edited = service.edit_post(session, post=post, editor=author, body=PHONE)
    assert edited.post.status == PostStatus.held and posted.thread.post_count == 0  # personal data: held again
    assert [r.body_md for r in service.list_revisions(session, post=posted.post)] == ["Premier jet"]
    cleared = service.edit_post(session, post=post, editor=author, body="Écris-moi ici plutôt.")
    assert cleared.post.status == PostStatus.published and posted.thread.post_count == 1  # released by review
    assert posted.thread.status == PostStatus.published
    assert len(service.list_revisions(session, post=posted.post)) == 2


def test_a_sourcing_hold_is_not_lifted_by_an_edit(session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, body=SOURCING)
    post = access_post(session, author, posted.post.id, for_edit=True)
    service.edit_post(session, post=post, editor=author, body="Je ne vends plus rien.")
    assert posted.post.status == PostStatus.held  # a moderator decides


def test_wording_review_stops_only_unconfirmed_forms(session: Session) -> None:
    author, category = make_user(session), make_category(session)
    stigma = "Franchement, les toxicos du quartier me font peur."
    with pytest.raises(service.WordingReview) as review:
        service.create_thread(session, category=category, author=author, title="Avis", body=stigma, lang="fr",
                              wording_confirmed=False)
    assert review.value.screening.stigma
    posted = service.create_thread(session, category=category, author=author, title="Avis", body=stigma, lang="fr")
    assert posted.post.status == PostStatus.published


def test_every_screening_is_announced(session: Session) -> None:
    heard: list[events.PostScreened] = []
    events.subscribe(events.PostScreened, heard.append)
    try:
        author = make_user(session)
        posted = make_thread(session, category=make_category(session), author=author, body=PHONE)
        post = access_post(session, author, posted.post.id, for_edit=True)
        service.edit_post(session, post=post, editor=author, body="Sans numéro.")
    finally:
        events._listeners[events.PostScreened].remove(heard.append)
    assert [(e.post.id, e.edited) for e in heard] == [(posted.post.id, False), (posted.post.id, True)]
    assert "personal_data" in heard[0].screening.categories


def test_reactions_toggle_and_need_a_published_post(session: Session) -> None:
    member = make_user(session)
    posted = make_thread(session, category=make_category(session), author=make_user(session))
    assert service.toggle_reaction(session, post=posted.post, user=member, kind="courage") is True
    assert service.toggle_reaction(session, post=posted.post, user=member, kind="thanks") is True
    assert service.toggle_reaction(session, post=posted.post, user=member, kind="courage") is False
    assert list(session.scalars(select(Reaction.kind))) == ["thanks"]
    with pytest.raises(ValidationFailed):
        service.toggle_reaction(session, post=posted.post, user=member, kind="like")
    posted.post.status = PostStatus.hidden
    with pytest.raises(PermissionDenied):
        service.toggle_reaction(session, post=posted.post, user=member, kind="thanks")


def test_flags_are_audited_and_refused_to_members(session: Session) -> None:
    admin = make_user(session, role=Role.admin)
    thread = make_thread(session, category=make_category(session), author=make_user(session)).thread
    service.set_flags(session, thread=thread, actor=admin, pinned=True, locked=True)
    service.set_flags(session, thread=thread, actor=admin, pinned=True)  # no change: no entry
    session.flush()
    assert thread.pinned and thread.locked
    assert list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))) == ["thread.pin", "thread.lock"]
    with pytest.raises(PermissionDenied):  # a member, or a moderator of another language
        service.set_flags(session, thread=thread, actor=make_user(session), locked=False)
    with pytest.raises(PermissionDenied):
        service.set_flags(session, thread=thread, actor=make_user(session, role=Role.moderator, moderated_langs="nl"),
                          locked=False)
    service.set_flags(session, thread=thread, actor=make_user(session, role=Role.moderator, moderated_langs="fr"),
                      locked=False)
    assert not thread.locked


def test_visits_are_one_row_per_member_and_thread(session: Session) -> None:
    member = make_user(session)
    thread = make_thread(session, category=make_category(session), author=make_user(session)).thread
    service.record_visit(session, user=member, thread=thread)
    service.record_visit(session, user=member, thread=thread)
    assert session.scalar(select(func.count(ThreadVisit.id))) == 1


def test_a_visit_is_stamped_again_only_when_the_thread_has_news(session: Session) -> None:
    member = make_user(session)
    posted = make_thread(session, category=make_category(session), author=make_user(session))
    thread = posted.thread
    service.record_visit(session, user=member, thread=thread)
    stamped = session.scalar(select(ThreadVisit.visited_at))
    assert stamped is not None
    service.record_visit(session, user=member, thread=thread, previous=stamped)  # nothing new: no write
    assert session.scalar(select(ThreadVisit.visited_at)) == stamped
    make_reply(session, posted=posted, author=make_user(session))
    session.refresh(thread)
    service.record_visit(session, user=member, thread=thread, previous=stamped)  # a reply since: stamped again
    assert session.scalar(select(ThreadVisit.visited_at)) > stamped


def test_reply_quote(session: Session) -> None:
    author, member = make_user(session, "Citee"), make_user(session)
    category = make_category(session)
    posted = make_thread(session, category=category, author=author, body="Une ligne\n\nUne autre")
    other = make_thread(session, category=category, author=author, title="Autre fil").thread
    assert service.reply_quote(session, viewer=member, thread=posted.thread, post_id=posted.post.id) == (
        "> **Citee**:\n> Une ligne\n>\n> Une autre\n\n")
    assert service.reply_quote(session, viewer=member, thread=other, post_id=posted.post.id) == ""
    posted.post.status = PostStatus.deleted
    session.flush()
    assert service.reply_quote(session, viewer=member, thread=posted.thread, post_id=posted.post.id) == ""
    # A post the member cannot see, or none: no quote, and no NotFound that would turn the thread page into a 404.
    assert service.reply_quote(session, viewer=member, thread=posted.thread, post_id=999_999) == ""


def test_erasing_a_members_posts_leaves_placeholders(session: Session) -> None:
    leaving, staying = make_user(session), make_user(session)
    category = make_category(session)
    own = make_thread(session, category=category, author=leaving, body="Mon histoire")
    service.edit_post(session, post=access_post(session, leaving, own.post.id), editor=leaving,
                      body="Mon histoire, revue")
    others = make_thread(session, category=category, author=staying, title="Un autre fil")
    reply = make_reply(session, posted=others, author=leaving, body="Ma réponse")
    kept = make_reply(session, posted=others, author=staying)
    erased = erasure.erase_member_posts(session, user=leaving)
    assert sorted(erased) == sorted([own.post.id, reply.post.id])
    for post in (own.post, reply.post):
        assert (post.status, post.body_md, post.body_html) == (PostStatus.deleted, "", "")
    assert kept.post.body_md and kept.post.status == PostStatus.published
    assert session.scalar(select(func.count(PostRevision.id))) == 0
    assert own.thread.post_count == 0 and own.thread.status == PostStatus.deleted  # nothing left in it
    assert others.thread.post_count == 2 and others.thread.status == PostStatus.published


def test_review_records_findings_through_the_event(session: Session) -> None:
    posted = make_thread(session, category=make_category(session), author=make_user(session), body=SOURCING)
    session.flush()
    assert session.scalar(select(func.count(Finding.id)).where(Finding.post_id == posted.post.id))
    item = session.scalar(select(ReviewItem).where(ReviewItem.post_id == posted.post.id))
    assert item is not None and "sourcing" in item.tag_list
    assert session.get(Post, posted.post.id) is posted.post


@pytest.mark.parametrize("limit", ["hourly", "slow_mode"])
def test_the_replys_insert_itself_holds_the_limits_a_first_look_let_through(session: Session, limit: str) -> None:
    """The final posting-rate check is made by the reply's INSERT (after the member's turn is taken):
    a reply that passed the first look while another one was written is refused, with the usual 429."""
    from app.errors import RateLimited
    from app.settings import TrustSettings

    author = make_user(session, approved_posts=10)
    posted = make_thread(session, category=make_category(session), author=author)
    thread = posted.thread
    limits = TrustSettings(posts_per_hour=1 if limit == "hourly" else 100)
    if limit == "slow_mode":
        thread.slow_mode_seconds = 600
        session.flush()
    screening = service.screen(title="", body="Courage à toi.", lang="fr", newcomer_hold=False)
    # What a reply sent at the same moment as the thread's first post saw: under every limit.
    guard = service._rate_guard(session, author, limits, thread)
    with pytest.raises(RateLimited) as refused:
        service._add_post(session, thread=thread, author=author, body="Courage à toi.", note=None,
                          screening=screening, guard=guard)
    message = "slow mode" if limit == "slow_mode" else "posted a lot"
    assert message in refused.value.message and int(refused.value.headers["Retry-After"]) > 0
    assert session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id)) == 1
    if limit == "hourly":  # under a limit of 2: the INSERT writes it
        limits = TrustSettings(posts_per_hour=2)
        post = service._add_post(session, thread=thread, author=author, body="Courage à toi.", note=None,
                                 screening=screening, guard=service._rate_guard(session, author, limits, thread))
        assert post.id is not None and post.status == PostStatus.published


def test_two_first_posts_sent_at_once_are_welcomed_once(db: Database, session: Session,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Outsider's attack (round 31): a newcomer's two first posts sent at the same moment were both told
    "welcome, your first post", each having looked for an earlier post before either was written. Both are
    screened before either writes (the barrier below): which one is first is decided in the member's turn."""
    newcomer_id = make_user(session, "Simultanee", approved_posts=0).id
    category_id = make_category(session).id
    thread_id = make_thread(session, category=session.get(Category, category_id),
                            author=make_user(session, "Hote")).thread.id
    session.commit()
    # On PostgreSQL the first rate count already takes the member's turn, before screening: the second post
    # waits for the first's commit there, the barrier times out and both go on.
    both_screened = threading.Barrier(2, timeout=3)
    screen = service.screen

    def screen_then_wait(**kwargs: Any) -> Screening:
        screening = screen(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_screened.wait()
        return screening

    monkeypatch.setattr(service, "screen", screen_then_wait)
    notices: list[list[str]] = []
    errors: list[BaseException] = []

    def post(as_thread: bool) -> None:
        try:
            with db.request_session(write=True) as s:  # as a request that posts
                author, category = s.get(User, newcomer_id), s.get(Category, category_id)
                assert author is not None and category is not None
                if as_thread:
                    posted = service.create_thread(s, category=category, author=author, title="Bonjour à tous",
                                                   body="Je me présente.", lang="fr")
                else:
                    thread = s.get(Thread, thread_id)
                    assert thread is not None
                    thread.category = category
                    posted = service.reply(s, thread=thread, author=author, body="Merci pour ce fil.")
                notices.append(posted.screening.poster_notices())
                s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=post, args=(as_thread,)) for as_thread in (True, False)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert sorted(notices) == [["held"], ["welcome"]], notices
    assert session.scalar(select(func.count(Post.id)).where(Post.author_id == newcomer_id)) == 2
