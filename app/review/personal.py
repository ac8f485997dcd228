"""The review side of a member's own data: what they download (GDPR Art. 15, 20) and what erasure removes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.review import labels, messages, service, statements
from app.review.models import Appeal, MemberNote, Report, Sanction


def export_member(session: Session, *, user: User) -> dict[str, object]:
    """Statements, appeals, reports made, messages with moderators, sanctions, and moderators' notes about them.

    Moderators' notes are personal data about the member, so they are part of
    the download; the moderators who wrote them are not named.
    """
    def iso(value):  # type: ignore[no-untyped-def]
        return value.isoformat() if value else None

    appeals = session.scalars(select(Appeal).where(Appeal.appellant_id == user.id).order_by(Appeal.id))
    reports = session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id))
    sanctions = session.scalars(select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id))
    notes = session.scalars(select(MemberNote).where(MemberNote.user_id == user.id).order_by(MemberNote.id))
    return {
        "statements": statements.export_for_member(session, user=user),
        "appeals": [{"statement_id": a.statement_id, "text": a.text, "status": a.status,
                     "created_at": iso(a.created_at), "decided_at": iso(a.decided_at)} for a in appeals],
        "reports": [{"post_id": r.post_id, "reason": r.reason, "text": r.text, "outcome": r.outcome,
                     "created_at": iso(r.created_at), "outcome_at": iso(r.outcome_at)} for r in reports],
        "messages": messages.export_for_member(session, user=user),
        "sanctions": [{"kind": s.kind, "created_at": iso(s.created_at), "ends_at": iso(s.ends_at),
                       "lifted_at": iso(s.lifted_at)} for s in sanctions],
        "moderator_notes": [{"note": n.body, "created_at": iso(n.created_at)} for n in notes],
    }


def forget_posts(session: Session, *, post_ids: list[int]) -> None:
    """The member erased their posts: drop what the engine quoted from them and the labels that copy them."""
    service.forget_findings(session, post_ids=post_ids)
    labels.forget_labels(session, post_ids=post_ids)
