"""Reports on posts, from members and visitors; an "illegal content" report is a DSA Art. 16 notice.

A report merges into the post's open queue item. The reporter is told at once
that it arrived, and later what came of it (`Report.outcome`): members on their
reports page, visitors through the secret link they were given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts import throttle
from app.accounts.models import User
from app.db import serialize, utcnow
from app.errors import Conflict, NotFound, RateLimited, ValidationFailed
from app.forum.models import Post, PostStatus, Thread
from app.forum.permissions import can_report, can_see_thread
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.review import service
from app.review.models import Report
from app.review.vocabulary import REPORT_KIND, REPORT_REASONS
from app.security import new_token, token_hash
from app.settings import Settings

TEXT_MAX = 4000
ALREADY_REPORTED = N_("You have already reported this post. The moderators will look at it.")


@dataclass
class ReportInput:
    reason: str
    text: str = ""
    location: str = ""
    notifier_name: str = ""
    notifier_contact: str = ""
    good_faith: bool = False


@dataclass
class Reported:
    report: Report
    # Visitors only: the secret to follow the notice (shown once, never stored).
    token: str | None = None


# A conservative shape for an e-mail address (no e-mail library among the dependencies): one "@", no spaces,
# controls or characters that need quoting, a domain with a dot. The address is only read by a person.
_LOCAL = r"[^\s@<>()\[\]\\,;:\"]"  # a character the part before "@" may hold unquoted
_LABEL = r"[^\s@<>()\[\]\\,;:\".]+"  # a piece of the domain between dots
_EMAIL = re.compile(rf"{_LOCAL}{{1,64}}@(?:{_LABEL}\.)+(?![_-]){_LABEL}")
EMAIL_MAX = 200


def _email(value: str) -> str:
    """An optional e-mail address, checked: "" when none was given."""
    value = value.strip()
    if not value:
        return ""
    # Besides the shape: no control, format (direction marks included) or space character anywhere.
    if len(value) > EMAIL_MAX or _EMAIL.fullmatch(value) is None \
            or any(unicodedata.category(ch)[0] in "CZ" for ch in value):
        raise ValidationFailed(N_("Enter an e-mail address such as name@example.be, or leave this field empty."),
                               field="notifier_contact")
    return value


def _clean(data: ReportInput, *, visitor: bool) -> ReportInput:
    if data.reason not in REPORT_REASONS:
        raise ValidationFailed(N_("Choose what is wrong with this post."), field="reason")
    text = refuse_bidi_overrides(strip_controls(data.text).strip(), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(N_("Your report is too long (%(max)s characters at most)."), field="text",
                               max=TEXT_MAX)
    if data.reason in ("illegal", "other") and not text:
        raise ValidationFailed(N_("Explain in a few words what is wrong, so that moderators can act."),
                               field="text")
    if data.reason == "illegal" and not data.good_faith:
        raise ValidationFailed(N_("Confirm that you believe in good faith that what you report is accurate and "
                                  "complete."), field="good_faith")
    if visitor and data.reason != "illegal":
        raise ValidationFailed(N_("Log in to report this; visitors can send a notice of illegal content."),
                               field="reason")
    return ReportInput(reason=data.reason, text=text,
                       location=refuse_bidi_overrides(strip_controls(data.location).strip()[:500], field="location"),
                       notifier_name=refuse_bidi_overrides(strip_controls(data.notifier_name).strip()[:120],
                                                           field="notifier_name"),
                       notifier_contact=_email(data.notifier_contact), good_faith=data.good_faith)


def create_report(session: Session, settings: Settings, *, post: Post, reporter: User | None, data: ReportInput,
                  location: str, client_key: str | None = None) -> Reported:
    """File a report and merge it into the post's queue item. `location` is the post's own address."""
    if not can_report(reporter, post):
        raise ValidationFailed(N_("This post cannot be reported."), field="reason")
    data = _clean(data, visitor=reporter is None)
    _check_rate(session, settings, reporter, client_key)
    if reporter is not None and session.scalar(select(Report.id).where(
            Report.post_id == post.id, Report.reporter_id == reporter.id, Report.outcome == "")):
        raise Conflict(ALREADY_REPORTED)
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    token = new_token() if reporter is None else None
    report = Report(post_id=post.id, reporter_id=reporter.id if reporter else None, reason=data.reason,
                    text=data.text, location=data.location or location,
                    notifier_name=data.notifier_name if data.reason == "illegal" else "",
                    notifier_contact=data.notifier_contact if data.reason == "illegal" else "",
                    good_faith=data.good_faith, token_hash=token_hash(token) if token else None,
                    created_at=utcnow())
    reasons = ["report"] + ([REPORT_KIND[data.reason]] if data.reason in REPORT_KIND else [])
    item = service.add_reasons(session, post=post, lang=thread.lang, reasons=reasons)
    session.flush()
    report.item_id = item.id
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError as exc:  # the database's own guard: one open report per member and post
        raise Conflict(ALREADY_REPORTED) from exc
    return Reported(report=report, token=token)


def _check_rate(session: Session, settings: Settings, reporter: User | None, client_key: str | None) -> None:
    """A member's reports per 24 hours; a visitor's notices per client and window.

    Both are checked so that requests sent at once cannot all pass (issue 9):
    a member's reports one after the other (`serialize`, then the count and
    the "already reported" check see every earlier report), a visitor's
    notices in one conditional UPDATE of their counter.
    """
    if reporter is not None:
        serialize(session, "reports", reporter.id)
        since = utcnow() - dt.timedelta(days=1)
        count, oldest = session.execute(select(func.count(Report.id), func.min(Report.created_at)).where(
            Report.reporter_id == reporter.id, Report.created_at > since)).one()
        if count >= settings.review.reports_per_day:
            wait = int((oldest - since).total_seconds()) + 1 if oldest is not None else 3600
            raise RateLimited(N_("You have sent many reports today. Thank you; please wait until tomorrow, or write "
                                 "to the moderators if it is urgent."), retry_after=max(wait, 1))
    elif client_key is not None and not throttle.consume(session, client_key,
                                                         settings.review.visitor_reports_per_window,
                                                         settings.throttle.window_seconds):
        raise RateLimited(retry_after=throttle.seconds_left(settings.throttle.window_seconds))


def list_for_reporter(session: Session, *, user: User) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id.desc())))


def get_by_token(session: Session, *, report_id: int, token: str) -> Report:
    report = session.get(Report, report_id)
    if report is None or report.token_hash is None or report.token_hash != token_hash(token):
        raise NotFound()
    return report


def access_reportable(session: Session, viewer: User | None, post_id: int) -> Post:
    """A published post the viewer may read and report (not their own)."""
    post = session.scalar(select(Post).options(joinedload(Post.thread).joinedload(Thread.category))
                          .where(Post.id == post_id))
    if post is None or post.status != PostStatus.published or not can_see_thread(viewer, post.thread):
        raise NotFound()
    if not can_report(viewer, post):
        raise NotFound()
    return post


def erase_notifier_contacts(session: Session, settings: Settings) -> int:
    """Housekeeping: a notifier's name and contact are kept only a while after their notice was decided."""
    cutoff = utcnow() - dt.timedelta(days=settings.review.notifier_contact_days)
    old = list(session.scalars(select(Report).where(
        Report.outcome_at.is_not(None), Report.outcome_at < cutoff,
        (Report.notifier_name != "") | (Report.notifier_contact != ""))))
    for report in old:
        report.notifier_name = report.notifier_contact = ""
    return len(old)
