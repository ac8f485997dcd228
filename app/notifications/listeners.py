"""Notifications' answers to what the forum and review announce (connected by app/wiring.py).

Each runs in the post's session and transaction: what it writes commits, or
rolls back, with the post. None of them loops over a thread's watchers; see fanout.py.
"""

from __future__ import annotations

from fastapi import Request

from app.accounts.permissions import best_effort_write
from app.forum import events
from app.forum import queries as forum_queries
from app.forum.models import Thread
from app.forum.screening import Notice
from app.notifications import fanout, queries, service, wording
from app.notifications.models import Kind, Notification
from app.review import events as review_events
from app.web.templating import url_for


def on_post_screened(event: events.PostScreened) -> None:
    """A new post: its author watches the thread (if their preferences say so), held or not."""
    post = event.post
    if event.edited or post.author_id is None:
        return
    # A new post carries its loaded thread (forum.service._add_post); otherwise it is in the session already.
    thread = post.__dict__.get("thread") or event.session.get(Thread, post.thread_id)
    started = thread is not None and thread.author_id == post.author_id
    service.watch_automatically(event.session, user_id=post.author_id, thread_id=post.thread_id, started=started)


def on_post_published(event: events.PostPublished) -> None:
    session, post, thread = event.session, event.post, event.thread
    # Most specific first: whoever is mentioned gets "mention", not also "quote" or "reply"
    # (one notification per member and post; later writes for the same post are skipped).
    service.notify_members(session, kind=Kind.mention, user_ids=event.mentioned_ids, post=post, thread=thread)
    service.notify_members(session, kind=Kind.quote, user_ids=event.quoted_ids, post=post, thread=thread)
    fanout.announce(session, post=post, thread=thread, kind=Kind.new_thread if event.first_in_thread else Kind.reply)


def on_post_edited(event: events.PostEdited) -> None:
    session, post, thread = event.session, event.post, event.thread
    if event.urgent:
        service.forget_reactions(session, post_id=post.id)
    service.notify_members(session, kind=Kind.mention, user_ids=event.mentioned_ids, post=post, thread=thread)
    service.notify_members(session, kind=Kind.quote, user_ids=event.quoted_ids, post=post, thread=thread)


def on_post_removed(event: events.PostRemoved) -> None:
    # Deleted and erased posts are gone for good, and so are their notifications. A post that
    # moderators hid may come back on appeal: its notifications stay, unseen while it is hidden
    # (queries.py reads the post's status), so no event is needed for that.
    if event.how != "hidden":
        service.forget_posts(event.session, post_ids=event.post_ids)


def on_reaction_changed(event: events.ReactionChanged) -> None:
    post = event.post
    if post.author_id is None or post.author_id == event.user.id:
        return
    # A person in crisis is never told "3 people said me too": reactions on a crisis post stay silent.
    if Notice.crisis_lines in post.notice_list:
        return
    session = event.session
    thread = session.get(Thread, post.thread_id)
    if event.given and not service.deliverable(session, Kind.reaction, [post.author_id], thread=thread):
        return
    reactors = forum_queries.list_reactors(session, post.id, event.kind)
    service.record_reaction(session, post=post, kind=event.kind, reactors=reactors, given=event.given)


def on_thread_shown(event: events.ThreadShown) -> None:
    viewer = event.viewer
    if viewer is None:
        return
    event.context["watch"] = queries.thread_watch_state(event.session, viewer, event.thread, event.reader_parts)
    # Reading the posts reads what pointed to them, as on Discourse: the bell does not keep
    # asking about replies the member has just read. The header was counted before this
    # page: it shows the count less what was read here (templates/notifications/_bell.html).
    marked = 0

    def read_them() -> None:
        nonlocal marked
        marked = service.mark_seen(event.session, user=viewer, thread_id=event.thread.id, post_ids=event.post_ids)

    # Nothing unread (the bell counted for this page): no write, so no write lock on SQLite.
    # The count leaves out only what is about posts no longer published, which stay unshown.
    if event.post_ids and event.session.info.get(queries.UNREAD_COUNTED) != 0:
        best_effort_write(event.session, read_them)
    event.context["notifications_read_here"] = marked


def on_category_shown(event: events.CategoryShown) -> None:
    if event.viewer is not None:
        event.context["category_watch"] = service.get_category_level(
            event.session, user_id=event.viewer.id, category_id=event.category.id)


# --- what review announces: the moderators' kinds ---------------------------------------------

def on_statement_sent(event: review_events.StatementSent) -> None:
    """A statement of reasons: "welcome" when it approves a newcomer's first post, a decision otherwise."""
    if event.action == "approve" and event.source == "welcome" and event.post_id is not None:
        service.notify(event.session, user_id=event.user_id, kind=Kind.welcome_approved, post_id=event.post_id,
                       ref_id=event.statement_id)
        return
    service.notify(event.session, user_id=event.user_id, kind=Kind.moderation_statement, post_id=event.post_id,
                   thread_id=event.thread_id, ref_id=event.statement_id)


def on_statement_read(event: review_events.StatementRead) -> None:
    service.mark_read_about(event.session, user_id=event.user_id, ref_id=event.statement_id,
                            kinds=[Kind.moderation_statement, Kind.welcome_approved])


def on_staff_message_sent(event: review_events.StaffMessageSent) -> None:
    # One notification per conversation: a new message makes it unread again (service._insert).
    service.notify(event.session, user_id=event.member_id, kind=Kind.moderator_message, ref_id=event.conversation_id)


def on_conversation_read(event: review_events.ConversationRead) -> None:
    service.mark_read_about(event.session, user_id=event.member_id, ref_id=event.conversation_id,
                            kinds=[Kind.moderator_message])


def on_reports_settled(event: review_events.ReportsSettled) -> None:
    for report_id, reporter_id in event.reports:
        service.notify(event.session, user_id=reporter_id, kind=Kind.report_outcome, ref_id=report_id)


def _statement_link(request: Request, notification: Notification) -> str | None:
    if notification.ref_id is None:
        return None
    return url_for(request, "review.statement", statement_id=notification.ref_id)


def _conversation_link(request: Request, notification: Notification) -> str | None:
    if notification.ref_id is None:
        return None
    return url_for(request, "review.conversation", conversation_id=notification.ref_id, _fragment="latest")


def _reports_link(request: Request, notification: Notification) -> str | None:
    return url_for(request, "review.my_reports")


def connect() -> None:
    events.subscribe(events.PostScreened, on_post_screened)
    events.subscribe(events.PostPublished, on_post_published)
    events.subscribe(events.PostEdited, on_post_edited)
    events.subscribe(events.PostRemoved, on_post_removed)
    events.subscribe(events.ReactionChanged, on_reaction_changed)
    events.subscribe(events.ThreadShown, on_thread_shown)
    forum_queries.READER_STATE_PARTS[queries.OWN_WATCH] = queries.own_watch_level
    forum_queries.READER_STATE_PARTS[queries.CATEGORY_WATCH] = queries.category_watch_level
    events.subscribe(events.CategoryShown, on_category_shown)
    review_events.subscribe(review_events.StatementSent, on_statement_sent)
    review_events.subscribe(review_events.StatementRead, on_statement_read)
    review_events.subscribe(review_events.StaffMessageSent, on_staff_message_sent)
    review_events.subscribe(review_events.ConversationRead, on_conversation_read)
    review_events.subscribe(review_events.ReportsSettled, on_reports_settled)
    # Where the moderators' kinds land: review's pages for the member (else the notification itself).
    wording.register_link(Kind.moderation_statement, _statement_link)
    wording.register_link(Kind.moderator_message, _conversation_link)
    wording.register_link(Kind.report_outcome, _reports_link)
