"""Notifications' answers to what the forum announces (connected by app/wiring.py).

Each runs in the post's session and transaction: what it writes commits, or
rolls back, with the post. None of them loops over a thread's watchers; see fanout.py.
"""

from __future__ import annotations

from app.accounts.permissions import best_effort_write
from app.forum import events
from app.forum import queries as forum_queries
from app.forum.models import Thread
from app.forum.screening import Notice
from app.notifications import fanout, queries, service
from app.notifications.models import Kind


def on_post_screened(event: events.PostScreened) -> None:
    """A new post: its author watches the thread (if their preferences say so), held or not."""
    post = event.post
    if event.edited or post.author_id is None:
        return
    thread = event.session.get(Thread, post.thread_id)  # in the session already: no query
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
    # A hidden post may come back (an appeal): its notifications stay, unseen while it is
    # hidden (queries.py reads the post's status). Deleted and erased posts are gone for good.
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
    event.context["watch"] = queries.thread_watch_state(event.session, viewer, event.thread)
    # Reading the posts reads what pointed to them, as on Discourse: the bell does not keep
    # asking about replies the member has just read. The header was counted before this
    # page: it shows the count less what was read here (templates/notifications/_bell.html).
    marked = 0

    def read_them() -> None:
        nonlocal marked
        marked = service.mark_seen(event.session, user=viewer, thread_id=event.thread.id, post_ids=event.post_ids)

    if event.post_ids:
        best_effort_write(event.session, read_them)
    event.context["notifications_read_here"] = marked


def on_category_shown(event: events.CategoryShown) -> None:
    if event.viewer is not None:
        event.context["category_watch"] = service.get_category_level(
            event.session, user_id=event.viewer.id, category_id=event.category.id)


def connect() -> None:
    events.subscribe(events.PostScreened, on_post_screened)
    events.subscribe(events.PostPublished, on_post_published)
    events.subscribe(events.PostEdited, on_post_edited)
    events.subscribe(events.PostRemoved, on_post_removed)
    events.subscribe(events.ReactionChanged, on_reaction_changed)
    events.subscribe(events.ThreadShown, on_thread_shown)
    events.subscribe(events.CategoryShown, on_category_shown)
