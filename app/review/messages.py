"""Private messages between the moderators and one member (members answer; no member-to-member messages)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app import markdown
from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls, visible_length
from app.review import audit, events, unread
from app.review.models import Conversation, Message

BODY_MAX = 10000
SUBJECT_MAX = 200


@dataclass
class ConversationView:
    conversation: Conversation
    messages: list[Message]


def _clean_body(body: str) -> str:
    body = strip_controls(body).strip()
    if not visible_length(body):  # zero-width characters alone are as empty as spaces
        raise ValidationFailed(N_("Your message is empty."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(N_("Your message is too long (%(max)s characters at most)."), field="body",
                               max=BODY_MAX)
    return refuse_bidi_overrides(body, field="body")


def start(session: Session, *, moderator: User, member: User, subject: str, body: str,
          item_id: int | None = None) -> Conversation:
    """A moderator writes to a member (a check-in, a question, an explanation)."""
    subject = refuse_bidi_overrides(" ".join(strip_controls(subject).split())[:SUBJECT_MAX], field="subject")
    if not subject:
        raise ValidationFailed(N_("Give the message a subject."), field="subject")
    body = _clean_body(body)
    now = utcnow()
    conversation = Conversation(member_id=member.id, subject=subject, started_by_id=moderator.id, item_id=item_id,
                                last_message_at=now, member_unread=True, staff_unread=False, created_at=now)
    session.add(conversation)
    session.flush()
    _add(session, conversation, moderator, body, from_staff=True)
    audit.record(session, actor=moderator, action="message.start", target_type="user", target_id=member.id,
                 details={"conversation": conversation.id})
    return conversation


def reply(session: Session, *, conversation: Conversation, author: User, body: str) -> Message:
    """Either side answers; the other side sees it as unread."""
    from_staff = author.id != conversation.member_id
    message = _add(session, conversation, author, _clean_body(body), from_staff=from_staff)
    if from_staff:
        audit.record(session, actor=author, action="message.reply", target_type="user",
                     target_id=conversation.member_id, details={"conversation": conversation.id})
    return message


def _add(session: Session, conversation: Conversation, author: User, body: str, *, from_staff: bool) -> Message:
    now = utcnow()
    message = Message(conversation_id=conversation.id, author_id=author.id, from_staff=from_staff, body_md=body,
                      body_html=markdown.render(body), created_at=now)
    session.add(message)
    conversation.last_message_at = now
    if from_staff:
        conversation.member_unread = True
    else:
        conversation.staff_unread = True
    session.flush()
    if from_staff:
        unread.refresh(session, conversation.member_id)
        events.publish(events.StaffMessageSent(session=session, conversation_id=conversation.id,
                                               member_id=conversation.member_id))
    return message


def access(session: Session, viewer: User, conversation_id: int) -> Conversation:
    """The member's own conversations; every moderator's for staff (the team answers together)."""
    conversation = session.scalar(select(Conversation).options(joinedload(Conversation.member))
                                  .where(Conversation.id == conversation_id))
    if conversation is None or not (viewer.is_moderator or conversation.member_id == viewer.id):
        raise NotFound()
    return conversation


def mark_read(session: Session, *, conversation: Conversation, viewer: User) -> None:
    """The viewer's side has seen the latest message."""
    if viewer.id == conversation.member_id:
        if conversation.member_unread:
            conversation.member_unread = False
            unread.refresh(session, viewer.id)
            events.publish(events.ConversationRead(session=session, conversation_id=conversation.id,
                                                   member_id=viewer.id))
    elif viewer.is_moderator:
        conversation.staff_unread = False


def read(session: Session, *, conversation: Conversation) -> ConversationView:
    """The messages, oldest first."""
    messages = list(session.scalars(select(Message).options(joinedload(Message.author))
                                    .where(Message.conversation_id == conversation.id).order_by(Message.id)))
    return ConversationView(conversation=conversation, messages=messages)


def inbox(session: Session, *, member: User) -> list[Conversation]:
    return list(session.scalars(select(Conversation).where(Conversation.member_id == member.id)
                                .order_by(Conversation.last_message_at.desc())))


def unread_count(session: Session, *, member: User) -> int:
    return session.scalar(select(func.count(Conversation.id)).where(
        Conversation.member_id == member.id, Conversation.member_unread.is_(True))) or 0


def staff_list(session: Session, *, limit: int = 100) -> list[Conversation]:
    """Every conversation, those waiting for a moderator's answer first."""
    return list(session.scalars(select(Conversation).options(joinedload(Conversation.member))
                                .order_by(Conversation.staff_unread.desc(), Conversation.last_message_at.desc())
                                .limit(limit)))


def export_for_member(session: Session, *, user: User) -> list[dict[str, object]]:
    """The member's conversations for their data download; moderators appear as "moderator"."""
    out = []
    for conversation in inbox(session, member=user):
        messages = session.scalars(select(Message).where(Message.conversation_id == conversation.id)
                                   .order_by(Message.id))
        out.append({"id": conversation.id, "subject": conversation.subject,
                    "created_at": conversation.created_at.isoformat(),
                    "messages": [{"from": "moderator" if m.from_staff else "me", "body": m.body_md,
                                  "created_at": m.created_at.isoformat()} for m in messages]})
    return out
