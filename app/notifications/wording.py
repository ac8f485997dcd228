"""What each notification says, in the reader's language, and where its link lands.

Sentences are built when shown, from ids: the thread's title as it is now, the
actor's pseudonym (or "a former member"). Nothing a member wrote is stored here.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from app.i18n import gettext, ngettext
from app.i18n_markers import N_
from app.notifications.models import PEER_KINDS, Kind, Notification
from app.notifications.queries import Item
from app.web.templating import url_for

SENTENCES = {
    Kind.reply: N_("%(actor)s replied in “%(thread)s”"),
    Kind.new_thread: N_("%(actor)s started a new thread: “%(thread)s”"),
    Kind.quote: N_("%(actor)s quoted you in “%(thread)s”"),
    Kind.mention: N_("%(actor)s mentioned you in “%(thread)s”"),
    Kind.moderator_message: N_("A moderator wrote to you."),
    Kind.report_outcome: N_("The moderators looked at what you reported. Thank you for telling us."),
}
ONE_REACTION = {
    "thanks": N_("%(actor)s thanked you for your post in “%(thread)s”"),
    "courage": N_("%(actor)s sent you courage for your post in “%(thread)s”"),
    "me_too": N_("%(actor)s said “me too” to your post in “%(thread)s”"),
}

#: What the preferences page calls each kind a member may switch off.
KIND_LABELS = {
    Kind.reply: N_("A new post in a thread I watch"),
    Kind.new_thread: N_("A new thread in a category I watch"),
    Kind.quote: N_("Someone quotes one of my posts"),
    Kind.mention: N_("Someone mentions me (@pseudonym)"),
    Kind.reaction: N_("Reactions to my posts (grouped: “3 people sent you courage”)"),
    Kind.welcome_approved: N_("A moderator approves my first post"),
    Kind.report_outcome: N_("What came of a report I made"),
}
KIND_HINTS = {
    Kind.mention: N_("Off: a mention of your pseudonym notifies no one, and the composer stops suggesting it."),
    Kind.reaction: N_("Off by default. Reactions to a post flagged as a crisis never notify anyone."),
}
WATCH_LABELS = {
    "watch_started": N_("Watch the threads I start"),
    "watch_replied": N_("Watch the threads I reply to"),
}


def _many_reactions(kind: str, count: int, thread: str) -> str:
    # Separate calls so that each sentence is extracted with its plural forms.
    if kind == "thanks":
        return ngettext("%(num)s person thanked you for your post in “%(thread)s”",
                        "%(num)s people thanked you for your post in “%(thread)s”", count, thread=thread)
    if kind == "me_too":
        return ngettext("%(num)s person said “me too” to your post in “%(thread)s”",
                        "%(num)s people said “me too” to your post in “%(thread)s”", count, thread=thread)
    return ngettext("%(num)s person sent you courage for your post in “%(thread)s”",
                    "%(num)s people sent you courage for your post in “%(thread)s”", count, thread=thread)


def sentence(item: Item) -> str:
    """The notification as one sentence in the current language."""
    n = item.notification
    kind = item.kind
    thread = item.thread_title or ""
    actor = item.actor or gettext("A former member")
    if kind == Kind.reaction:
        if n.count > 1:
            return _many_reactions(n.detail, n.count, thread)
        return gettext(ONE_REACTION.get(n.detail, ONE_REACTION["courage"]), actor=actor, thread=thread)
    if kind == Kind.moderation_statement:
        if n.post_id is not None and thread:
            return gettext("The moderators made a decision about your post in “%(thread)s” and explain why.",
                           thread=thread)
        return gettext("The moderators made a decision about your account and explain why.")
    if kind == Kind.welcome_approved:
        return gettext("Welcome! A moderator approved your first post in “%(thread)s”.", thread=thread)
    return gettext(SENTENCES[kind], actor=actor, thread=thread)


#: Where a notification of a kind leads, for kinds whose page lives in another domain (review's
#: statements of reasons and messages): registered by that domain, see `register_link`.
LinkBuilder = Callable[[Request, Notification], str | None]
_links: dict[Kind, LinkBuilder] = {}


def register_link(kind: Kind | str, builder: LinkBuilder) -> None:
    """Review registers where its kinds land, e.g. the statement of reasons' page (app/wiring.py)."""
    _links[Kind(kind)] = builder


def target(request: Request, notification: Notification) -> str:
    """The page a notification's link opens: the post itself (on the right page of its thread) where there is one.

    The moderators' statements, messages and report outcomes open the page their
    domain registered; until then, the notification itself on the notifications page
    (the post a decision was about may be hidden from its own author).
    """
    kind = Kind(notification.kind)
    builder = _links.get(kind)
    if builder is not None:
        url = builder(request, notification)
        if url:
            return url
    if kind in PEER_KINDS or kind == Kind.welcome_approved:
        if notification.post_id is not None:
            return url_for(request, "forum.post", post_id=notification.post_id)
        if notification.thread_id is not None:
            return url_for(request, "forum.thread", thread_id=notification.thread_id)
    return url_for(request, "notifications.page", _fragment=f"n{notification.id}")
