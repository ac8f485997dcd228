"""A member's moderation record, as moderators see it: sanctions, decisions, private notes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.db import utcnow
from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.review import audit
from app.review.models import Decision, MemberNote, Sanction

NOTE_MAX = 4000


@dataclass
class Record:
    member: User
    sanctions: list[Sanction]
    decisions: list[Decision]
    notes: list[MemberNote]


def record_of(session: Session, member: User) -> Record:
    return Record(
        member=member,
        sanctions=list(session.scalars(select(Sanction).where(Sanction.user_id == member.id)
                                       .order_by(Sanction.id.desc()))),
        decisions=list(session.scalars(select(Decision).options(joinedload(Decision.actor))
                                       .where(Decision.subject_id == member.id).order_by(Decision.id.desc())
                                       .limit(50))),
        notes=list(session.scalars(select(MemberNote).options(joinedload(MemberNote.author))
                                   .where(MemberNote.user_id == member.id).order_by(MemberNote.id.desc()))),
    )


def add_note(session: Session, *, moderator: User, member: User, body: str) -> MemberNote:
    body = body.strip()
    if not body:
        raise ValidationFailed(N_("The note is empty."), field="note")
    if len(body) > NOTE_MAX:
        raise ValidationFailed(N_("The note is too long (%(max)s characters at most)."), field="note", max=NOTE_MAX)
    note = MemberNote(user_id=member.id, author_id=moderator.id, body=body, created_at=utcnow())
    session.add(note)
    session.flush()
    audit.record(session, actor=moderator, action="member.note", target_type="user", target_id=member.id,
                 details={"note": note.id})
    return note


def warnings_count(session: Session, member_ids: list[int]) -> dict[int, int]:
    """Earlier sanctions per member, for the queue's cards."""
    counts: dict[int, int] = {}
    if member_ids:
        for user_id in session.scalars(select(Sanction.user_id).where(Sanction.user_id.in_(member_ids))):
            counts[user_id] = counts.get(user_id, 0) + 1
    return counts
