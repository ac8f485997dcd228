"""Reports of errors in the medication reference, sent from the diary pages to the moderators.

A member (often a pharmacist, or someone reading their own leaflet) tells us
that a strength, a break line or an equivalent is wrong. The report is kept
here; the moderators' queue hears of it through ``subscribe`` (the review
domain, built on top of the diary, connects at start-up: app/wiring.py) and
opens an item for it. Moderators pass confirmed errors to the maintainers, who
correct ``data/medications.toml`` citing the new source (see
docs/medication-reference.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.diary import medication_names as med_names
from app.diary.models import MedicationDataReport
from app.errors import RateLimited, ValidationFailed
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls

TEXT_MAX = 2000
EVIDENCE_MAX = 500
PRODUCT_MAX = 120
REPORTS_PER_DAY = 10
#: Diary pages the report form is reached from (kept with the report, for context).
PAGES = ("plan", "plan_form", "plan_version", "entry", "other")


@dataclass
class DataReportInput:
    product: str
    text: str
    evidence: str = ""
    page: str = "other"


def _clean(data: DataReportInput) -> DataReportInput:
    for name in ("product", "text", "evidence"):  # read by the team on the data reports page
        refuse_bidi_overrides(getattr(data, name), field=name)
    text = strip_controls(data.text).strip()
    if not text:
        raise ValidationFailed(N_("Tell us what is wrong: the value you saw and, if you know it, the right one."),
                               field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(N_("Your report is too long (%(max)s characters at most)."), field="text",
                               max=TEXT_MAX)
    evidence = strip_controls(data.evidence).strip()
    if len(evidence) > EVIDENCE_MAX:
        raise ValidationFailed(N_("Keep this to %(max)s characters."), field="evidence", max=EVIDENCE_MAX)
    product = " ".join(data.product.split())
    if len(product) > PRODUCT_MAX:
        raise ValidationFailed(N_("Keep this to %(max)s characters."), field="product", max=PRODUCT_MAX)
    return DataReportInput(product=product, text=text, evidence=evidence,
                           page=data.page if data.page in PAGES else "other")


def report_error(session: Session, *, reporter: User, lang: str, data: DataReportInput) -> MedicationDataReport:
    """Keep the report and put it in front of the moderators."""
    data = _clean(data)
    since = utcnow() - dt.timedelta(days=1)
    sent = session.scalar(select(func.count(MedicationDataReport.id)).where(
        MedicationDataReport.reporter_id == reporter.id, MedicationDataReport.created_at > since)) or 0
    if sent >= REPORTS_PER_DAY:
        raise RateLimited(N_("You have sent many reports today. Thank you; please wait until tomorrow."),
                          retry_after=3600)
    med = med_names.resolve(data.product) if data.product else None
    report = MedicationDataReport(
        reporter_id=reporter.id, lang=lang, molecule=med.molecule if med else "", product=data.product,
        text=data.text, evidence=data.evidence, page=data.page, status="open", created_at=utcnow(),
    )
    session.add(report)
    session.flush()
    for listener in _listeners:
        listener(session, report)
    return report


_listeners: list[Callable[[Session, MedicationDataReport], None]] = []


def subscribe(listener: Callable[[Session, MedicationDataReport], None]) -> None:
    """Call ``listener`` (in the reporter's transaction) for every stored report; twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)


def list_open(session: Session, *, limit: int = 100) -> list[MedicationDataReport]:
    return list(session.scalars(select(MedicationDataReport).where(MedicationDataReport.status == "open")
                                .order_by(MedicationDataReport.id).limit(limit)))
