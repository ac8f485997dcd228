"""Appeals (DSA Art. 20): a member asks for another look; a moderator other than the one who acted decides."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import serialize, utcnow
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.forum import service as forum
from app.forum.models import Post, PostStatus, Thread
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.review import audit, decision_checks, decisions, service
from app.review.decisions import Outcome
from app.review.models import Appeal, Decision, ReviewItem, Sanction, Statement
from app.review.vocabulary import APPEAL_ACTIONS
from app.settings import Settings

APPEAL_MAX = 4000


def get_appeal(session: Session, *, statement: Statement) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.statement_id == statement.id))


def can_appeal(statement: Statement) -> bool:
    return statement.appeal_until is not None and statement.appeal_until > utcnow()


def create_appeal(session: Session, *, statement: Statement, appellant: User, text: str) -> Appeal:
    """The member explains why; the appeal goes to the queue in the case's language."""
    if statement.user_id != appellant.id:
        raise PermissionDenied()
    if not can_appeal(statement):
        raise Conflict(N_("This decision can no longer be appealed."))
    serialize(session, "appeal", statement.id)  # appeals sent at once: the later ones see the first (409)
    if get_appeal(session, statement=statement) is not None:
        raise Conflict(N_("You have already appealed this decision. A moderator will answer here."))
    text = refuse_bidi_overrides(strip_controls(text).strip(), field="text")
    if not text:
        raise ValidationFailed(N_("Tell the moderators why you disagree."), field="text")
    if len(text) > APPEAL_MAX:
        raise ValidationFailed(N_("Your appeal is too long (%(max)s characters at most)."), field="text",
                               max=APPEAL_MAX)
    appeal = Appeal(statement_id=statement.id, appellant_id=appellant.id, text=text, created_at=utcnow())
    session.add(appeal)
    session.flush()
    service.open_appeal_item(session, appeal=appeal, lang=_case_lang(session, statement, appellant))
    return appeal


def _case_lang(session: Session, statement: Statement, appellant: User) -> str:
    if statement.thread_id is not None:
        lang = session.scalar(select(Thread.lang).where(Thread.id == statement.thread_id))
        if lang:
            return lang
    return appellant.locale


def decide_appeal(session: Session, settings: Settings, *, item: ReviewItem, actor: User, action: str, reason: str,
                  version: int | None = None) -> Outcome:
    """Uphold or reverse the appealed decision; the member gets the outcome as a new statement."""
    if action not in APPEAL_ACTIONS:
        raise ValidationFailed(N_("An appeal is answered by upholding or reversing the decision."), field="action")
    decision_checks.lock_item(session, item)
    decision_checks.check_open(session, item, actor, version)
    appeal = session.scalar(select(Appeal).where(Appeal.item_id == item.id))
    assert appeal is not None
    statement = session.get(Statement, appeal.statement_id)
    assert statement is not None
    original = session.get(Decision, statement.decision_id)
    assert original is not None
    if original.actor_id == actor.id:
        raise PermissionDenied(N_("An appeal is decided by a moderator other than the one who took the decision."))
    appellant = session.get(User, appeal.appellant_id)
    assert appellant is not None
    reason = decision_checks.clean_reason(reason)
    if action == "reverse":
        _undo(session, original, actor)
        original.reversed_at = utcnow()
    decision = Decision(item_id=item.id, post_id=original.post_id, thread_id=original.thread_id,
                        subject_id=appellant.id, actor_id=actor.id, action=action, rule=original.rule, reason=reason,
                        automated=False, reported=False, details={"appealed_decision": original.id},
                        created_at=utcnow())
    session.add(decision)
    session.flush()
    outcome_statement = decisions.send_statement(session, settings, decision=decision, recipient=appellant,
                                                 source="appeal", appealable=False)
    appeal.status = "reversed" if action == "reverse" else "upheld"
    appeal.decided_by_id = actor.id
    appeal.decided_at = utcnow()
    appeal.outcome_statement_id = outcome_statement.id
    audit.record(session, actor=actor, action=f"appeal.{action}", target_type="appeal", target_id=appeal.id,
                 reason=reason, details={"decision": decision.id, "appealed_decision": original.id})
    service.resolve(item, actor=actor, resolution=action)
    return Outcome(decision=decision, statement=outcome_statement, item=item)


def _undo(session: Session, original: Decision, actor: User) -> None:
    """Put things back as they were before the appealed decision."""
    details, action = original.details, original.action
    post = session.get(Post, original.post_id) if original.post_id else None
    thread = session.get(Thread, original.thread_id) if original.thread_id else None
    if action in ("hide", "delete") and post is not None and post.status != PostStatus.deleted:
        forum.set_post_status(session, post=post, status=PostStatus(details.get("status_before", "published")))
    elif action == "edit" and post is not None and "revision" in details:
        forum.restore_revision(session, post=post, revision_id=int(details["revision"]), editor=actor)
    elif action == "note" and post is not None:
        forum.set_content_note(post, details.get("note_before"))
    elif action == "move" and thread is not None:
        category = forum.get_category(session, int(details["category_before"]))
        if category is not None:
            forum.move_thread(session, thread=thread, category=category)
    elif action == "lock" and thread is not None:
        forum.change_flags(thread, locked=False)
    elif action == "slow_mode" and thread is not None:
        forum.set_slow_mode(thread, int(details.get("seconds_before", 0)))
    elif action in ("warn", "silence", "suspend", "ban") and original.subject_id is not None:
        member = session.get(User, original.subject_id)
        sanction = session.scalar(select(Sanction).where(Sanction.decision_id == original.id))
        if sanction is not None:
            sanction.lifted_at = utcnow()
        if member is not None and action != "warn" and _in_force(member, original):
            accounts.lift_restriction(session, user=member)


def _in_force(member: User, original: Decision) -> bool:
    """The account's restriction is still the one this decision put on it (a later one stays)."""
    return member.active_restriction() is not None and member.restricted_until == original.ends_at


def list_for_member(session: Session, *, user: User) -> dict[int, Appeal]:
    """The member's appeals, by statement id."""
    return {a.statement_id: a for a in session.scalars(select(Appeal).where(Appeal.appellant_id == user.id))}
