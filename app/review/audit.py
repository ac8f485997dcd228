"""The append-only audit log of staff actions, its admin view and CSV export, and the public moderation log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.i18n import gettext
from app.pagination import Page, offset_for, pages_for
from app.review.models import AuditEntry, Decision
from app.review.vocabulary import PUBLIC_ACTIONS
from app.web.downloads import BOM, EXCEL_DELIMITER, spreadsheet_safe

# Who acted when no member did (the `forum` command, housekeeping).
CONSOLE = "console"
SYSTEM = "system"


def record(session: Session, *, actor: User | None, action: str, target_type: str, target_id: int,
           reason: str = "", details: dict[str, Any] | None = None, actor_name: str | None = None) -> AuditEntry:
    """Add one entry. Nothing in the application updates or deletes an entry afterwards."""
    entry = AuditEntry(actor_id=actor.id if actor else None,
                       actor_name=actor.pseudonym if actor else (actor_name or SYSTEM),
                       action=action, target_type=target_type, target_id=target_id, reason=reason,
                       details=details or {})
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor:
            query = query.where(AuditEntry.actor_name == self.actor)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.target_type:
            query = query.where(AuditEntry.target_type == self.target_type)
        if self.since:
            query = query.where(AuditEntry.created_at >= _day_start(self.since))
        if self.until:
            query = query.where(AuditEntry.created_at < _day_start(self.until + dt.timedelta(days=1)))
        return query


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def list_entries(session: Session, filters: AuditFilter, *, page: int, size: int = 50) -> Page[AuditEntry]:
    query = filters.apply(select(AuditEntry))
    total = _count(session, filters.apply(select(AuditEntry.id)))
    rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(size).offset(offset_for(page, size))))
    return Page(items=rows, page=page, pages=pages_for(total, size), total=total)


def action_names(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


CSV_COLUMNS = ("id", "created_at", "actor_id", "actor", "action", "target_type", "target_id", "reason", "details")


def export_csv(session: Session, filters: AuditFilter, *, excel: bool = False) -> str:
    """Every matching entry, oldest first, as CSV (details as JSON); `excel`: for Excel with Belgian settings, a
    byte-order mark and ";" between cells (app.web.downloads.EXCEL_DELIMITER). The cells hold no decimals."""
    out = io.StringIO()
    if excel:
        out.write(BOM)
    writer = csv.writer(out, delimiter=EXCEL_DELIMITER if excel else ",")
    writer.writerow(CSV_COLUMNS)
    for entry in session.scalars(filters.apply(select(AuditEntry)).order_by(AuditEntry.id)).yield_per(500):
        writer.writerow([entry.id, entry.created_at.isoformat(), entry.actor_id or "",
                         spreadsheet_safe(entry.actor_name), entry.action, entry.target_type, entry.target_id,
                         spreadsheet_safe(entry.reason),
                         spreadsheet_safe(json.dumps(entry.details, ensure_ascii=False, sort_keys=True))])
    return out.getvalue()


@dataclass(frozen=True)
class PublicEntry:
    created_at: dt.datetime
    action: str
    rule: str
    reason: str
    reversed_at: dt.datetime | None


def list_public_log(session: Session, *, page: int, size: int = 30) -> Page[PublicEntry]:
    """The public moderation log: actions on content, with rule and reason, naming no member.

    A reason that names the member concerned shows "[member]" instead.
    """
    query = select(Decision).where(Decision.action.in_(sorted(PUBLIC_ACTIONS)))
    total = _count(session, query.with_only_columns(Decision.id))
    rows = session.scalars(query.options(joinedload(Decision.subject)).order_by(Decision.id.desc())
                           .limit(size).offset(offset_for(page, size)))
    entries = [PublicEntry(created_at=d.created_at, action=d.action, rule=d.rule,
                           reason=_unnamed(d.reason, d.subject.pseudonym if d.subject else None),
                           reversed_at=d.reversed_at) for d in rows]
    return Page(items=entries, page=page, pages=pages_for(total, size), total=total)


def _unnamed(text: str, pseudonym: str | None) -> str:
    if not pseudonym:
        return text
    return re.sub(re.escape(pseudonym), gettext("[member]"), text, flags=re.IGNORECASE)
