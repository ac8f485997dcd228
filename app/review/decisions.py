"""A moderator's decision: check it may be taken (decision_checks.py), apply it through the forum or accounts,
then explain it.

Every decision writes, in the same transaction: the decision itself (with what
an appeal needs to undo it), a statement of reasons to the member concerned
(DSA Art. 17), an audit entry, training labels for the engine, and the outcome
for everyone who reported the post.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.accounts import service as accounts
from app.accounts.models import Restriction, User
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.forum import service as forum
from app.forum.models import PostStatus
from app.i18n_markers import N_
from app.review import audit, events, labels, service, unread
from app.review.decision_checks import (
    DecisionInput,
    Target,
    check_open,
    chosen_duration,
    chosen_rule,
    clean_reason,
    lock_item,
    target_of,
    validate,
)
from app.review.models import Decision, Finding, Report, ReviewItem, Sanction, Statement
from app.review.vocabulary import ACTIONS, MEMBER_ACTIONS, QUEUE_ACTIONS
from app.settings import Settings

# Decisions that change nothing the member would want explained.
SILENT_ACTIONS = frozenset({"pin", "unpin"})
RESTRICTIONS = {"silence": Restriction.silenced, "suspend": Restriction.suspended, "ban": Restriction.banned}


@dataclass
class Outcome:
    decision: Decision
    statement: Statement | None
    item: ReviewItem | None


def decide(session: Session, settings: Settings, *, item: ReviewItem, actor: User, data: DecisionInput,
           sanction: DecisionInput | None = None) -> Outcome:
    """Take a decision on a queue item (and, with `sanction`, a member action beside it)."""
    if data.action not in QUEUE_ACTIONS:
        raise ValidationFailed(N_("Choose an action."), field="action")
    if item.post_id is None:
        raise ValidationFailed(N_("An appeal is answered by upholding or reversing the decision."), field="action")
    lock_item(session, item)
    check_open(session, item, actor, data.version)
    target = target_of(session, item)
    validate(session, target, actor, data, item)
    if sanction is not None:
        validate(session, target, actor, sanction, item)  # both checked before either changes anything
    outcome = act(session, settings, target=target, actor=actor, data=data, item=item)
    if sanction is not None and sanction.action in MEMBER_ACTIONS:
        act(session, settings, target=target, actor=actor, data=sanction, item=item)
    assert target.post is not None
    # A withheld post's item stays open: its text was not judged, and it comes back (held, perhaps) if its
    # author logs in again; the final erasure closes it (review/listeners.py).
    if target.post.status != PostStatus.held and target.post.withheld_status is None:
        service.resolve(item, actor=actor, resolution=data.action)
    elif item.first_action_at is None:
        item.first_action_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:  # another moderator's decision committed between our read and write
        raise Conflict(N_("Another moderator decided this item at the same moment. Nothing was changed.")) from exc
    return outcome


def act(session: Session, settings: Settings, *, target: Target, actor: User, data: DecisionInput,
        item: ReviewItem | None = None) -> Outcome:
    """Apply one action to a post, thread or member, and record and explain it (queue or not)."""
    validate(session, target, actor, data, item)
    action = ACTIONS[data.action]
    reason = clean_reason(data.reason)
    rule = chosen_rule(data, item)
    days, ends_at = chosen_duration(data)
    judged_text = target.post.body_md if target.post is not None else ""  # before an edit changes it
    details = _apply(session, settings, target=target, actor=actor, data=data, ends_at=ends_at)
    reports = _reports(session, item)
    decision = Decision(
        item_id=item.id if item else None, post_id=target.post.id if target.post else None,
        thread_id=target.thread.id if target.thread else None,
        subject_id=target.member.id if target.member else None, actor_id=actor.id, action=data.action,
        rule=rule, reason=reason, automated=_automated(session, item), reported=bool(reports),
        duration_days=days, ends_at=ends_at, details=details, created_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    if data.action in MEMBER_ACTIONS and target.member is not None:
        session.add(Sanction(user_id=target.member.id, kind=data.action, ends_at=ends_at, decision_id=decision.id))
    statement = None
    if _explains(data.action, details, target, actor):
        statement = send_statement(session, settings, decision=decision, recipient=target.member,  # type: ignore[arg-type]
                                   source=_source(item, reports))
    audit.record(session, actor=actor, action=f"decision.{data.action}", target_type=_target_type(action.on),
                 target_id=_target_id(action.on, target), reason=reason,
                 details={"decision": decision.id, "item": item.id if item else None, "rule": rule, **details})
    if target.post is not None and item is not None and target.post.withheld_status is None:
        # A withheld text is not a training example: its author took it back (and may still erase it).
        labels.record_verdicts(session, decision=decision, post=target.post, item=item, reports=reports,
                               given=data.labels, text=judged_text)
    _settle_reports(reports, decision)
    announce_settled(session, reports)
    return Outcome(decision=decision, statement=statement, item=item)


def _explains(action: str, details: dict[str, Any], target: Target, actor: User) -> bool:
    if target.member is None or target.member.id == actor.id or action in SILENT_ACTIONS:
        return False
    if action == "approve":
        return bool(details)  # the post went out; approving a published one changes nothing for its author
    return True


def _target_type(on: str) -> str:
    return {"post": "post", "thread": "thread", "member": "user"}[on]


def _target_id(on: str, target: Target) -> int:
    if on == "member":
        assert target.member is not None
        return target.member.id
    if on == "thread":
        assert target.thread is not None
        return target.thread.id
    assert target.post is not None
    return target.post.id


def _apply(session: Session, settings: Settings, *, target: Target, actor: User, data: DecisionInput,
           ends_at: dt.datetime | None) -> dict[str, Any]:
    """Change the post, thread or account; returns what an appeal needs to undo it."""
    post, thread, code = target.post, target.thread, data.action
    if code in MEMBER_ACTIONS:
        return _sanction(session, target.member, actor, code, ends_at)
    assert post is not None and thread is not None
    if code == "approve":
        if post.status == PostStatus.held:
            forum.publish_held_post(session, post=post)
            return {"status_before": "held"}
        if post.status in (PostStatus.hidden, PostStatus.removed):
            return {"status_before": forum.set_post_status(session, post=post, status=PostStatus.published).value}
        return {}
    if code == "edit":
        assert data.body is not None
        details: dict[str, Any] = {"revision": forum.moderator_edit(session, post=post, editor=actor, body=data.body,
                                                                    max_chars=settings.max_post_chars)}
        if post.status == PostStatus.held:
            forum.publish_held_post(session, post=post)  # edited into shape: it goes out
            details["status_before"] = "held"
        return details
    if code in ("hide", "delete"):
        status = PostStatus.hidden if code == "hide" else PostStatus.removed
        return {"status_before": forum.set_post_status(session, post=post, status=status).value}
    if code == "note":
        return {"note_before": forum.set_content_note(post, data.content_note)}
    if code == "move":
        category = forum.get_category(session, data.category_id or 0)
        assert category is not None
        return {"category_before": forum.move_thread(session, thread=thread, category=category),
                "category_after": category.id}
    if code == "slow_mode":
        seconds = (data.slow_mode_minutes or 0) * 60
        return {"seconds_before": forum.set_slow_mode(thread, seconds), "seconds_after": seconds}
    flags = {"lock": {"locked": True}, "unlock": {"locked": False}, "pin": {"pinned": True},
             "unpin": {"pinned": False}}[code]
    forum.change_flags(thread, **flags)
    return {}


def _sanction(session: Session, member: User | None, actor: User, code: str,
              ends_at: dt.datetime | None) -> dict[str, Any]:
    assert member is not None  # validate() made sure
    before = {"restriction_before": member.restriction, "until_before":
              member.restricted_until.isoformat() if member.restricted_until else None}
    if code in RESTRICTIONS:
        accounts.restrict(session, user=member, restriction=RESTRICTIONS[code], until=ends_at)
    return before


def _reports(session: Session, item: ReviewItem | None) -> list[Report]:
    if item is None:
        return []
    return list(session.scalars(select(Report).where(Report.item_id == item.id, Report.outcome == "")))


def _automated(session: Session, item: ReviewItem | None) -> bool:
    if item is None or item.post_id is None:
        return False
    return session.scalar(select(Finding.id).where(Finding.post_id == item.post_id).limit(1)) is not None and bool(
        set(item.tag_list) & service.QUEUE_CATEGORIES)


def _source(item: ReviewItem | None, reports: list[Report]) -> str:
    if item is None:
        return "moderator"
    tags = set(item.tag_list)
    if "appeal" in tags:
        return "appeal"
    if reports or "report" in tags:
        return "report"
    if tags & service.QUEUE_CATEGORIES:
        return "automated"
    if "welcome" in tags:
        return "welcome"
    if "newcomer" in tags:
        return "newcomer"  # a later held post: a decision, not a second welcome
    return "moderator"


def announce_settled(session: Session, reports: list[Report]) -> None:
    """Tell the domains above which reporters (with an account) can now learn what came of their report."""
    settled = tuple((report.id, report.reporter_id) for report in reports if report.reporter_id is not None)
    if settled:
        events.publish(events.ReportsSettled(session=session, reports=settled))


def _settle_reports(reports: list[Report], decision: Decision) -> None:
    """Everyone who reported the post learns what came of it."""
    taken = ACTIONS[decision.action].restricts
    for report in reports:
        report.outcome = "action_taken" if taken else "no_action"
        report.outcome_action = decision.action
        report.outcome_at = decision.created_at
        report.decision_id = decision.id


def send_statement(session: Session, settings: Settings, *, decision: Decision, recipient: User, source: str,
                   appealable: bool | None = None) -> Statement:
    """The statement of reasons to the member (DSA Art. 17): what, why, which rule, how, for how long, appeal."""
    if appealable is None:
        appealable = ACTIONS[decision.action].restricts
    statement = Statement(
        user_id=recipient.id, decision_id=decision.id, action=decision.action, rule=decision.rule,
        reason=decision.reason, automated=decision.automated, source=source, post_id=decision.post_id,
        thread_id=decision.thread_id, duration_days=decision.duration_days, ends_at=decision.ends_at,
        appeal_until=utcnow() + dt.timedelta(days=settings.review.appeal_days) if appealable else None,
        created_at=utcnow(),
    )
    session.add(statement)
    session.flush()
    unread.refresh(session, recipient.id)
    events.publish(events.StatementSent(
        session=session, statement_id=statement.id, user_id=recipient.id, action=statement.action,
        source=statement.source, post_id=statement.post_id, thread_id=statement.thread_id))
    return statement


def act_on_member(session: Session, settings: Settings, *, member: User, actor: User,
                  data: DecisionInput) -> Outcome:
    """A member action outside the queue (from the member's page)."""
    if data.action == "lift":
        return lift(session, settings, member=member, actor=actor, reason=data.reason)
    if data.action not in MEMBER_ACTIONS:
        raise ValidationFailed(N_("Choose an action."), field="action")
    return act(session, settings, target=Target(post=None, thread=None, member=member), actor=actor, data=data)


def lift(session: Session, settings: Settings, *, member: User, actor: User, reason: str,
         source: str = "moderator") -> Outcome:
    """End the restriction in force early (with a statement, like any decision about an account)."""
    reason = clean_reason(reason)
    if member.active_restriction() is None:
        raise ValidationFailed(N_("This member has no restriction to lift."), field="action")
    before = {"restriction_before": member.restriction}
    accounts.lift_restriction(session, user=member)
    now = utcnow()
    for sanction in session.scalars(select(Sanction).where(Sanction.user_id == member.id,
                                                           Sanction.lifted_at.is_(None))):
        if sanction.kind in RESTRICTIONS and (sanction.ends_at is None or sanction.ends_at > now):
            sanction.lifted_at = now
    decision = Decision(subject_id=member.id, actor_id=actor.id, action="lift", rule="", reason=reason,
                        details=before, created_at=now)
    session.add(decision)
    session.flush()
    statement = send_statement(session, settings, decision=decision, recipient=member, source=source,
                               appealable=False)
    audit.record(session, actor=actor, action="decision.lift", target_type="user", target_id=member.id,
                 reason=reason, details={"decision": decision.id, **before})
    return Outcome(decision=decision, statement=statement, item=None)
