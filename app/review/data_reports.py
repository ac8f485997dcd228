"""Reports of an error in the medication data, sent from the diary pages: their items in the queue.

The diary keeps the report and announces it (app/diary/data_reports.py); review,
built on top of the diary, opens a queue item for it. A moderator reads it and
closes it with what came of it: passed on for correction, or no error found.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.diary import data_reports as diary_reports
from app.diary.models import MedicationDataReport
from app.errors import Conflict, ValidationFailed
from app.i18n_markers import N_
from app.review import service
from app.review.models import ItemStatus, ReviewItem
from app.review.vocabulary import KINDS

KIND = "medication_data"
# What came of a report (stored on the report, and as its item's resolution).
OUTCOMES = {"passed_on": N_("Passed on for correction"), "no_error": N_("No error found")}


def on_reported(session: Session, report: MedicationDataReport) -> None:
    """A new report: an item in the queue, in the reporter's language (no member is concerned)."""
    item = ReviewItem(post_id=None, subject_id=None, lang=report.lang, kind=KIND, tags=f",{KIND},",
                      priority=KINDS[KIND][0], created_at=utcnow())
    session.add(item)
    session.flush()
    report.queue_item_id = item.id


def for_items(session: Session, item_ids: list[int]) -> dict[int, MedicationDataReport]:
    if not item_ids:
        return {}
    reports = session.scalars(select(MedicationDataReport).where(MedicationDataReport.queue_item_id.in_(item_ids)))
    return {report.queue_item_id: report for report in reports if report.queue_item_id is not None}


def close(session: Session, *, item: ReviewItem, actor: User, outcome: str) -> None:
    """Close a report's item with what came of it; the audit log keeps who did and when."""
    report = for_items(session, [item.id]).get(item.id)
    if item.kind != KIND or report is None:
        raise ValidationFailed(N_("This item is decided on its own page."), field="outcome")
    if item.status != ItemStatus.open:
        raise Conflict(N_("This item was already closed."))
    if outcome not in OUTCOMES:
        raise ValidationFailed(N_("Choose what came of it."), field="outcome")
    report.status = outcome
    service.resolve(item, actor=actor, resolution=outcome)
    service.audit(session, actor=actor, action="medication_data.close", target_type="review_item",
                  target_id=item.id, details={"outcome": outcome, "molecule": report.molecule})


def connect() -> None:
    diary_reports.subscribe(on_reported)
