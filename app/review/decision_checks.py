"""Whether a moderator's decision may be taken: what it acts on, the item still open, every field valid.

Every check here changes nothing, so a refused decision leaves nothing half done
(decisions.py applies it only after all of them passed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content_notes import is_content_note
from app.db import utcnow
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.forum import service as forum
from app.forum.models import Post, PostStatus, Thread
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.review.models import ItemStatus, ReviewItem
from app.review.permissions import covers
from app.review.service import lock_item as lock_item  # decisions, appeals and support take it from here
from app.review.vocabulary import ACTIONS, MEMBER_ACTIONS, QUEUE_ACTIONS, RULE_FOR, RULES, TIMED_ACTIONS

REASON_MAX = 2000


@dataclass
class DecisionInput:
    """What a moderator chose, as the form or the API sends it."""

    action: str
    reason: str
    rule: str = ""
    duration_days: int | None = None
    body: str | None = None  # edit
    category_id: int | None = None  # move
    content_note: str | None = None  # note
    slow_mode_minutes: int | None = None  # slow_mode
    # Per engine category: was the flag right? Missing ones get a default from the action.
    labels: dict[str, bool] = field(default_factory=dict)
    # The item's version the moderator saw; an older one is refused.
    version: int | None = None


@dataclass
class Target:
    """What a decision acts on: a post (and its thread), or only a member."""

    post: Post | None
    thread: Thread | None
    member: User | None


def clean_reason(reason: str) -> str:
    reason = refuse_bidi_overrides(strip_controls(reason).strip(), field="reason")
    if not reason:
        raise ValidationFailed(N_("Write the reason: the member will read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(N_("The reason is too long (%(max)s characters at most)."), field="reason",
                               max=REASON_MAX)
    return reason


def chosen_rule(data: DecisionInput, item: ReviewItem | None) -> str:
    rule = data.rule or (RULE_FOR.get(item.kind, "") if item is not None else "")
    if rule and rule not in RULES:
        raise ValidationFailed(N_("Choose one of the house rules."), field="rule")
    if not rule and ACTIONS[data.action].restricts:
        raise ValidationFailed(N_("Choose the rule this decision rests on."), field="rule")
    return rule


def chosen_duration(data: DecisionInput) -> tuple[int | None, dt.datetime | None]:
    longest = TIMED_ACTIONS.get(data.action)
    if longest is None:
        return None, None
    days = data.duration_days
    if days is None or not 1 <= days <= longest:
        raise ValidationFailed(N_("Choose a duration between 1 and %(max)s days."), field="duration_days",
                               max=longest)
    return days, utcnow() + dt.timedelta(days=days)


def check_open(session: Session, item: ReviewItem, actor: User, version: int | None) -> None:
    if item.status != ItemStatus.open:
        by = session.get(User, item.resolved_by_id) if item.resolved_by_id else None
        raise Conflict(N_("Another moderator already decided this item (%(name)s: %(action)s). Nothing was changed."),
                       name=by.pseudonym if by else "—", action=item.resolution)
    if version is not None and version != item.version:
        raise Conflict(N_("This item changed since you opened it (a decision, a claim, a new report or an edit by "
                          "its author). Look at it again before deciding: nothing was changed."))
    if item.claimed_by_other(actor):
        other = session.get(User, item.claimed_by_id)
        raise Conflict(N_("%(name)s is handling this item right now."), name=other.pseudonym if other else "?")


def target_of(session: Session, item: ReviewItem) -> Target:
    post = session.get(Post, item.post_id) if item.post_id is not None else None
    thread = session.get(Thread, post.thread_id) if post is not None else None
    member = session.get(User, item.subject_id) if item.subject_id is not None else None
    return Target(post=post, thread=thread, member=member)


def validate(session: Session, target: Target, actor: User, data: DecisionInput, item: ReviewItem | None) -> None:
    """Every check that needs no change first, so a refused decision leaves nothing half done."""
    action = ACTIONS.get(data.action)
    if action is None or data.action not in QUEUE_ACTIONS:
        raise ValidationFailed(N_("Choose an action."), field="action")
    clean_reason(data.reason)
    chosen_rule(data, item)
    chosen_duration(data)
    _check_post_and_thread(session, target, actor, data, item, on=action.on)
    _check_fields(session, target.thread, data)
    if data.action in MEMBER_ACTIONS:
        _check_member(target.member)


def _check_post_and_thread(session: Session, target: Target, actor: User, data: DecisionInput,
                           item: ReviewItem | None, *, on: str) -> None:
    """The post or thread the action needs is there, in the moderator's language, and not already so."""
    if on in ("post", "thread"):
        if target.post is None or target.thread is None:
            raise ValidationFailed(N_("This action needs a post."), field="action")
        if not (actor.moderates(target.thread.lang) or (item is not None and covers(session, actor, item))):
            raise PermissionDenied()
    post, thread = target.post, target.thread
    if post is not None and post.withheld_status is not None and on == "post":
        # Nobody may read it until the erasure is final or cancelled: nothing to judge, edit or put back.
        raise ValidationFailed(N_("The text of this post is withheld at its author's request: act on the thread "
                                  "or the member, or send them a private check-in."), field="action")
    gone = {"hide": (PostStatus.hidden, PostStatus.deleted), "delete": (PostStatus.removed, PostStatus.deleted)}
    if post is not None and data.action in gone and post.status in gone[data.action]:
        raise ValidationFailed(N_("The post is already out of sight."), field="action")
    if thread is not None and (
            (data.action == "lock" and thread.locked) or (data.action == "unlock" and not thread.locked)
            or (data.action == "pin" and thread.pinned) or (data.action == "unpin" and not thread.pinned)):
        raise ValidationFailed(N_("The thread is already so."), field="action")


def _check_fields(session: Session, thread: Thread | None, data: DecisionInput) -> None:
    """The fields the chosen action needs (new text, content note, category, slow mode)."""
    if data.action == "edit" and not (data.body or "").strip():
        raise ValidationFailed(N_("Write the post's new text."), field="body")
    if data.action == "note" and not is_content_note(data.content_note or ""):
        raise ValidationFailed(N_("Choose a content note."), field="content_note")
    if data.action == "move" and (data.category_id is None or forum.get_category(session, data.category_id) is None
                                  or (thread is not None and data.category_id == thread.category_id)):
        raise ValidationFailed(N_("Choose another category."), field="category_id")
    if data.action == "slow_mode" and (data.slow_mode_minutes is None or not 0 <= data.slow_mode_minutes <= 7 * 1440):
        raise ValidationFailed(N_("Slow mode lasts between 0 minutes (off) and 7 days."), field="slow_mode_minutes")


def _check_member(member: User | None) -> None:
    """A member action needs the member, and only members are sanctioned here."""
    if member is None:
        raise ValidationFailed(N_("This post's author has deleted their account."), field="action")
    if member.role != Role.member:
        raise PermissionDenied(N_("Moderators and administrators are not sanctioned here: an administrator "
                                  "changes their role."))
