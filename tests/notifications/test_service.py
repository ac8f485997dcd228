"""What members are told, and what they are never told: each kind, preferences, mutes, privacy."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Restriction, Role, User
from app.errors import ValidationFailed
from app.forum import events
from app.forum import service as forum
from app.forum.models import Category, Post, PostStatus, Visibility
from app.forum.permissions import access_post
from app.markdown import quote
from app.notifications import queries, service
from app.notifications.models import Kind, Notification, ThreadWatch
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.notifications.helpers import kinds_of, notifications_of, set_preferences, thread_of

CRISIS = "Je n'en peux plus, je veux en finir."


def test_a_reply_tells_the_thread_starter_and_the_replier_then_watches(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    reply = make_reply(session, posted=posted, author=bert)
    told = notifications_of(session, anne)
    assert [(n.kind, n.post_id, n.thread_id, n.actor_id) for n in told] == [
        ("reply", reply.post.id, posted.thread.id, bert.id)]
    assert notifications_of(session, bert) == []  # never about one's own post
    assert service.get_thread_level(session, user_id=bert.id, thread_id=posted.thread.id) == "watching"
    make_reply(session, posted=posted, author=anne, body="Merci Bert.")
    assert kinds_of(session, bert) == ["reply"]


def test_watching_what_i_start_or_answer_is_a_preference(session: Session) -> None:
    anne, bert, carl = make_user(session, "Anne"), make_user(session, "Bert"), make_user(session, "Carl")
    set_preferences(session, anne, watch_started=False)
    set_preferences(session, bert, watch_replied=False)
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=bert)
    make_reply(session, posted=posted, author=carl)
    assert notifications_of(session, anne) == [] and notifications_of(session, bert) == []
    assert session.scalar(select(ThreadWatch).where(ThreadWatch.user_id.in_([anne.id, bert.id]))) is None


def test_a_mention_is_one_notification_even_for_a_watcher(session: Session) -> None:
    anne, bert, carl = make_user(session, "Anne"), make_user(session, "Bert.Z"), make_user(session, "Carl")
    posted = make_thread(session, category=make_category(session), author=anne)
    reply = make_reply(session, posted=posted, author=carl, body="Merci @anne et @Bert.Z.")
    assert [(n.kind, n.post_id) for n in notifications_of(session, anne)] == [("mention", reply.post.id)]
    assert kinds_of(session, bert) == ["mention"]


def test_names_in_code_or_in_a_quoted_passage_notify_nobody(session: Session) -> None:
    anne, bert, carl = make_user(session, "Anne"), make_user(session, "Bert"), make_user(session, "Carl")
    set_preferences(session, anne, watch_started=False)
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=carl, body="`@Bert` en code\n\n> quelqu'un a écrit @Anne\n\nvoilà")
    assert notifications_of(session, anne) == [] and notifications_of(session, bert) == []


def test_a_member_who_blocks_mentions_is_told_by_no_one(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    set_preferences(session, bert, mention=False)
    make_thread(session, category=make_category(session), author=anne, body="Bonjour @Bert, tu es là ?")
    assert notifications_of(session, bert) == []
    assert session.scalar(select(Notification.id)) is None


def test_a_held_post_names_no_one_until_it_is_published(session: Session) -> None:
    bert = make_user(session, "Bert")
    newcomer = make_user(session, "Nouvelle", published_posts=0, approved_posts=0)  # first posts wait for a welcome
    posted = make_thread(session, category=make_category(session), author=newcomer,
                         body="Bonjour @Bert, tu peux m'aider ?")
    assert posted.post.status == PostStatus.held
    assert notifications_of(session, bert) == []
    forum.publish_held_post(session, post=posted.post)
    assert kinds_of(session, bert) == ["mention"]


def test_a_mention_never_shows_a_thread_the_member_cannot_read(session: Session) -> None:
    """A moderator answering a thread still awaiting review: the member named cannot see that thread."""
    bert = make_user(session, "Bert")
    moderator = make_user(session, "Moderatrice", role=Role.moderator)
    newcomer = make_user(session, "Nouveau", published_posts=0, approved_posts=0)
    posted = make_thread(session, category=make_category(session), author=newcomer)
    assert posted.thread.status == PostStatus.held
    make_reply(session, posted=posted, author=moderator, body="Bienvenue ! @Bert pourra sûrement t'aider.")
    assert notifications_of(session, bert) == []


def test_members_only_threads_notify_members_and_hide_again_when_the_thread_does(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    members = make_category(session, visibility=Visibility.members)
    posted = make_thread(session, category=members, author=anne, body="Pour @Bert, entre membres.")
    assert kinds_of(session, bert) == ["mention"]
    assert queries.unread_count(session, bert) == 1
    # Suspended, Bert reads what a visitor reads: the members-only thread leaves his notifications.
    bert.restriction = Restriction.suspended
    session.flush()
    assert queries.unread_count(session, bert) == 0
    bert.restriction = ""
    session.flush()
    assert queries.unread_count(session, bert) == 1
    posted.thread.status = PostStatus.hidden
    session.flush()
    assert queries.unread_count(session, bert) == 0
    assert queries.list_notifications(session, bert, page=1, size=10).items == []


def test_a_quote_tells_the_quoted_author(session: Session) -> None:
    anne, bert, carl = make_user(session, "Anne"), make_user(session, "Bert"), make_user(session, "Carl")
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=bert, body="Moi, la nuit, je lis.")
    set_preferences(session, anne, quote=True)
    quoting = make_reply(session, posted=posted, author=carl, body=quote("Bert", "Moi, la nuit, je lis.") + "Oui")
    assert [(n.kind, n.post_id, n.actor_id) for n in notifications_of(session, bert)] == [
        ("quote", quoting.post.id, carl.id)]


def test_a_hand_written_quote_of_someone_not_in_the_thread_pages_nobody(session: Session) -> None:
    anne, dora, carl = make_user(session, "Anne"), make_user(session, "Dora"), make_user(session, "Carl")
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=carl, body=quote("Dora", "ce que je n'ai jamais écrit"))
    assert notifications_of(session, dora) == []


def _react(session: Session, post: Post, user: User, kind: str = "courage") -> bool:
    return forum.toggle_reaction(session, post=post, user=user, kind=kind)


def test_reactions_are_silent_unless_the_member_turns_them_on(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    _react(session, posted.post, bert)
    assert notifications_of(session, anne) == []


def test_reactions_are_grouped_per_post_and_reaction(session: Session) -> None:
    anne = make_user(session, "Anne")
    others = [make_user(session, f"Soutien{i}") for i in range(3)]
    set_preferences(session, anne, reaction=True)
    posted = make_thread(session, category=make_category(session), author=anne)
    for member in others:
        _react(session, posted.post, member)
    _react(session, posted.post, others[0], "thanks")
    _react(session, posted.post, anne)  # one's own reaction tells no one
    groups = {n.detail: n for n in notifications_of(session, anne)}
    assert set(groups) == {"courage", "thanks"}
    assert groups["courage"].count == 3 and groups["courage"].actor_id == others[2].id
    service.mark_read(session, user=anne, everything=True)
    _react(session, posted.post, others[2])  # taken back: fewer, still read
    session.flush()
    session.refresh(groups["courage"])
    assert groups["courage"].count == 2 and groups["courage"].read_at is not None
    _react(session, posted.post, others[2])  # given again: unread again
    session.flush()
    session.refresh(groups["courage"])
    assert groups["courage"].count == 3 and groups["courage"].read_at is None
    for member in others:
        _react(session, posted.post, member)
    assert [n.detail for n in notifications_of(session, anne)] == ["thanks"]


def test_a_crisis_post_never_brings_reaction_notifications(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    set_preferences(session, anne, reaction=True)
    posted = make_thread(session, category=make_category(session), author=anne, body=CRISIS)
    assert "crisis_lines" in posted.post.notice_list
    _react(session, posted.post, bert)
    assert notifications_of(session, anne) == []


def test_an_edit_that_turns_a_post_into_a_crisis_drops_its_reaction_notifications(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    set_preferences(session, anne, reaction=True)
    posted = make_thread(session, category=make_category(session), author=anne)
    _react(session, posted.post, bert)
    assert kinds_of(session, anne) == ["reaction"]
    forum.edit_post(session, post=access_post(session, anne, posted.post.id), editor=anne, body=CRISIS)
    assert notifications_of(session, anne) == []


def test_an_edit_tells_only_the_members_it_newly_names(session: Session) -> None:
    anne, bert, carl = make_user(session, "Anne"), make_user(session, "Bert"), make_user(session, "Carl")
    set_preferences(session, anne, watch_started=False)
    posted = make_thread(session, category=make_category(session), author=anne, body="Salut @Bert")
    for body in ("Salut @Bert et @Carl", "Salut @Bert et @Carl !"):
        forum.edit_post(session, post=access_post(session, anne, posted.post.id), editor=anne, body=body)
    assert kinds_of(session, bert) == ["mention"] and kinds_of(session, carl) == ["mention"]


def test_a_muted_thread_is_silent_even_for_mentions(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    make_reply(session, posted=posted, author=bert)
    service.set_thread_level(session, user=anne, thread=posted.thread, level="muted")
    assert queries.unread_count(session, anne) == 0  # muting also reads off what the thread brought
    make_reply(session, posted=posted, author=bert, body="@Anne tu es là ?")
    assert kinds_of(session, anne) == ["reply"]


def test_a_deleted_post_takes_its_notifications_with_it(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    reply = make_reply(session, posted=posted, author=bert, body="@Anne regarde")
    assert kinds_of(session, anne) == ["mention"]
    forum.delete_post(session, post=access_post(session, bert, reply.post.id), actor=bert)
    assert notifications_of(session, anne) == []


def test_a_hidden_post_vanishes_from_notifications_and_comes_back_if_restored(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    reply = make_reply(session, posted=posted, author=bert)
    reply.post.status = PostStatus.hidden  # as review's hide does, then announces it
    events.publish(events.PostRemoved(session=session, post_ids=(reply.post.id,), how="hidden"))
    session.flush()
    assert queries.unread_count(session, anne) == 0
    assert queries.list_notifications(session, anne, page=1, size=10).items == []
    reply.post.status = PostStatus.published
    session.flush()
    assert queries.unread_count(session, anne) == 1


def test_moderators_statements_and_messages_always_arrive(session: Session) -> None:
    anne = make_user(session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    set_preferences(session, anne, **{k.value: False for k in service.SWITCHABLE})
    service.set_thread_level(session, user=anne, thread=posted.thread, level="muted")
    anne.status = "suspended"  # a restriction review may add: statements still reach the member
    session.flush()
    assert service.notify(session, user_id=anne.id, kind=Kind.moderation_statement, post_id=posted.post.id, ref_id=7)
    assert service.notify(session, user_id=anne.id, kind="moderator_message", ref_id=3)
    service.mark_read(session, user=anne, everything=True)
    # A second message in conversation 3: the same notification, unread again.
    assert service.notify(session, user_id=anne.id, kind="moderator_message", ref_id=3)
    assert queries.unread_count(session, anne) == 1
    assert not service.notify(session, user_id=anne.id, kind=Kind.reply, post_id=posted.post.id)
    assert not service.notify(session, user_id=anne.id, kind=Kind.report_outcome, ref_id=4)  # switched off
    set_preferences(session, anne, report_outcome=True)
    assert service.notify(session, user_id=anne.id, kind=Kind.report_outcome, ref_id=4)  # restricted, still told
    assert kinds_of(session, anne) == ["moderation_statement", "moderator_message", "report_outcome"]
    posted.post.status = PostStatus.hidden  # the decision hid the post: the statement stays
    session.flush()
    service.notify(session, user_id=anne.id, kind=Kind.moderation_statement, post_id=posted.post.id, ref_id=8)
    assert queries.unread_count(session, anne) == 3


def test_reading_a_statement_or_a_conversation_where_it_lives_reads_its_notification(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    for user in (anne, bert):
        service.notify(session, user_id=user.id, kind=Kind.moderation_statement, ref_id=4)
    service.notify(session, user_id=anne.id, kind=Kind.moderator_message, ref_id=4)
    assert service.mark_read_about(session, user_id=anne.id, kinds=[Kind.moderation_statement], ref_id=4) == 1
    # Only that member's notification of that kind: the conversation with the same number stays unread.
    assert [n.kind for n in notifications_of(session, anne) if n.read_at is None] == ["moderator_message"]
    assert queries.unread_count(session, bert) == 1


def test_welcome_approval_and_report_outcome_follow_preferences(session: Session) -> None:
    anne = make_user(session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    assert service.notify(session, user_id=anne.id, kind=Kind.welcome_approved, post_id=posted.post.id)
    assert service.notify(session, user_id=anne.id, kind=Kind.welcome_approved, post_id=posted.post.id)  # once
    assert kinds_of(session, anne) == ["welcome_approved"]
    assert service.notify(session, user_id=anne.id, kind=Kind.report_outcome, ref_id=12)
    notifications = notifications_of(session, anne)
    assert [(n.kind, n.thread_id) for n in notifications] == [("welcome_approved", posted.thread.id),
                                                              ("report_outcome", None)]


def test_watching_a_category(session: Session) -> None:
    anne, bert, dora, eva = (make_user(session, n) for n in ("Anne", "Bert", "Dora", "Eva"))
    category = make_category(session)
    service.set_category_level(session, user=dora, category=category, level="watching")
    service.set_category_level(session, user=eva, category=category, level="new_threads")
    posted = make_thread(session, category=category, author=anne)
    make_reply(session, posted=posted, author=bert)
    assert kinds_of(session, dora) == ["new_thread", "reply"]
    assert kinds_of(session, eva) == ["new_thread"]
    service.set_thread_level(session, user=dora, thread=thread_of(session, posted.thread.id), level="normal")
    make_reply(session, posted=posted, author=bert, body="encore")
    assert kinds_of(session, dora) == ["new_thread", "reply"]


def test_bad_levels_are_refused(session: Session) -> None:
    anne = make_user(session, "Anne")
    posted = make_thread(session, category=make_category(session), author=anne)
    with pytest.raises(ValidationFailed):
        service.set_thread_level(session, user=anne, thread=posted.thread, level="loud")
    with pytest.raises(ValidationFailed):
        service.set_category_level(session, user=anne, category=session.get(Category, posted.thread.category_id),
                                   level="muted")
    with pytest.raises(ValidationFailed):
        service.update_preferences(session, user=anne, values={"moderation_statement": False})


def test_export_holds_ids_and_kinds_and_erasure_removes_everything(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne, body="Un texte très personnel")
    make_reply(session, posted=posted, author=bert, body="@Anne une réponse privée")
    exported = service.export_member_notifications(session, user=anne)
    assert [n["kind"] for n in exported["notifications"]] == ["mention"]  # type: ignore[index]
    assert "réponse privée" not in repr(exported) and "personnel" not in repr(exported)
    assert exported["watched_threads"] == [{"thread_id": posted.thread.id, "level": "watching", "reason": "started"}]
    service.erase_member(session, user=bert)  # Bert leaves: what he caused keeps no name
    assert notifications_of(session, anne)[0].actor_id is None
    service.erase_member(session, user=anne)
    assert notifications_of(session, anne) == []
    assert session.scalar(select(ThreadWatch).where(ThreadWatch.user_id == anne.id)) is None
