"""Reaching out: a crisis post answered in one step, and the welcome reply after a first post is approved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import helplines
from app.accounts.models import User
from app.db import utcnow
from app.errors import ValidationFailed, each_error
from app.forum import service as forum
from app.forum.models import Post, Thread
from app.forum.screening import Notice
from app.i18n import translations
from app.i18n_markers import N_
from app.review import audit, decision_checks, decisions, messages, service
from app.review.models import Conversation, Report, ReviewItem
from app.settings import Settings

CHECK_IN_SUBJECT = N_("Checking in on you")


@dataclass
class Support:
    reply: Post | None
    conversation: Conversation | None


def mentions_a_line(text: str) -> bool:
    """Whether a message gives at least one help line's number (so the member has been shown one)."""
    compact = "".join(text.split())
    return any(line.number and line.number.replace(" ", "") in compact for line in helplines.HELPLINES)


@contextmanager
def _on_field(field: str) -> Iterator[None]:
    """A problem the forum or the inbox finds in "the body" is one of this form's fields (`field`):
    shown, and focused, next to what the moderator typed, not on another form of the page."""
    try:
        yield
    except ValidationFailed as exc:
        for problem in each_error(exc):
            if problem.field in (None, "body"):
                problem.field = field
        if exc.field in (None, "body"):
            exc.field = field
        raise


def support(session: Session, settings: Settings, *, item: ReviewItem, actor: User, public_body: str,
            private_body: str, show_banner: bool, resolve: bool, version: int | None = None) -> Support:
    """One step for someone in crisis: a supportive public reply, a private check-in, the help-lines banner."""
    decision_checks.lock_item(session, item)
    decision_checks.check_open(session, item, actor, version)
    target = decision_checks.target_of(session, item)
    post, thread, member = target.post, target.thread, target.member
    if post is None or thread is None:
        raise ValidationFailed(N_("This action needs a post."), field="action")
    if post.withheld_status is not None and (public_body.strip() or show_banner):
        # Out of everyone's sight at its author's request: a public answer would point at nothing.
        raise ValidationFailed(N_("The text of this post is withheld at its author's request: only a private "
                                  "check-in reaches them."), field="public_body")
    if not public_body.strip() and not private_body.strip() and not show_banner:
        raise ValidationFailed(N_("Write a reply, a private message, or both."), field="public_body")
    reply = None
    if public_body.strip():
        with _on_field("public_body"):
            reply = forum.reply(session, thread=thread, author=actor, body=public_body,
                                max_chars=settings.max_post_chars, limits=settings.trust).post
    conversation = None
    if private_body.strip() and member is not None and member.id != actor.id:
        subject = translations(member.locale).gettext(CHECK_IN_SUBJECT)
        with _on_field("private_body"):
            conversation = messages.start(session, moderator=actor, member=member, subject=subject,
                                          body=private_body, item_id=item.id)
        if mentions_a_line(private_body):
            item.lines_shown_at = item.lines_shown_at or utcnow()
    if show_banner:
        forum.add_notice(post, Notice.crisis_lines)
    audit.record(session, actor=actor, action="crisis.support", target_type="post", target_id=post.id,
                 details={"item": item.id, "reply": reply.id if reply else None,
                          "conversation": conversation.id if conversation else None, "banner": show_banner})
    if item.first_action_at is None:
        item.first_action_at = utcnow()
    if resolve:
        _settle(session, item)
        service.resolve(item, actor=actor, resolution="supported")
    return Support(reply=reply, conversation=conversation)


def _settle(session: Session, item: ReviewItem) -> None:
    now = utcnow()
    settled = list(session.scalars(select(Report).where(Report.item_id == item.id, Report.outcome == "")))
    for report in settled:
        report.outcome, report.outcome_action, report.outcome_at = "action_taken", "support", now
    decisions.announce_settled(session, settled)


def welcome_reply(session: Session, settings: Settings, *, thread: Thread, actor: User, body: str,
                  form_nonce: str | None = None) -> Post:
    """The moderator's public welcome under a newcomer's first post; the form sent twice posts it once (its nonce)."""
    return forum.reply(session, thread=thread, author=actor, body=body, max_chars=settings.max_post_chars,
                       limits=settings.trust, form_nonce=form_nonce).post
