"""Administrators: the audit log (filters, CSV) and who moderates what."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.permissions import AdminUser
from app.db import SessionDep, utcnow
from app.errors import AppError, ValidationFailed
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.review import audit, roles
from app.review.audit import AuditFilter
from app.review.vocabulary import TARGET_LABELS, audit_label
from app.web.downloads import attachment, excel_filename
from app.web.forms import FormFields, rerender
from app.web.params import PageNumber, in_date_range
from app.web.templating import redirect, render

router = APIRouter()


def _date(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or in_date_range(day) else None  # 9999-12-31 + 1 day overflowed: a 500


def _filters(actor: str, action: str, target_type: str, since: str, until: str) -> AuditFilter:
    return AuditFilter(actor=actor.strip(), action=action, target_type=target_type, since=_date(since),
                       until=_date(until))


@router.get("/admin/audit", name="review.audit")
def audit_page(request: Request, session: SessionDep, viewer: AdminUser, actor: str = "", action: str = "",
               target_type: str = "", since: str = "", until: str = "", page: PageNumber = 1) -> Response:
    filters = _filters(actor, action, target_type, since, until)
    return render(request, "review/audit.html", {
        "entries": audit.list_entries(session, filters, page=max(page, 1)), "filters": filters,
        "query": {"actor": actor, "action": action, "target_type": target_type, "since": since, "until": until},
        "actions": audit.action_names(session), "audit_label": audit_label, "target_labels": TARGET_LABELS,
    }, noindex=True)


@router.get("/admin/audit.csv", name="review.audit_csv")
def audit_csv(session: SessionDep, viewer: AdminUser, actor: str = "", action: str = "", target_type: str = "",
              since: str = "", until: str = "", excel: bool = False) -> Response:
    body = audit.export_csv(session, _filters(actor, action, target_type, since, until), excel=excel)
    filename = f"audit-{utcnow().date().isoformat()}.csv"
    return attachment(body, "text/csv; charset=utf-8", excel_filename(filename) if excel else filename)


def _roles_context(session: SessionDep, form: dict[str, str]) -> dict[str, object]:
    return {"staff": accounts.list_staff(session), "locales": LOCALES, "form": form, "errors": {}}


@router.get("/admin/roles", name="review.roles")
def roles_page(request: Request, session: SessionDep, viewer: AdminUser) -> Response:
    return render(request, "review/roles.html", _roles_context(session, {}), noindex=True)


@router.post("/admin/roles", name="review.roles_post")
def roles_post(request: Request, session: SessionDep, viewer: AdminUser, fields: FormFields) -> Response:
    """Grant or revoke: the form says which, for whom, which languages, and why."""
    form = {k: v for k, v in fields.items() if k != "csrf_token"}
    kept_admin = False
    try:
        user = accounts.get_user_by_pseudonym(session, fields.get("pseudonym", ""))
        if user is None:
            raise ValidationFailed(N_("No member has this pseudonym."), field="pseudonym")
        languages = [code for code in LOCALES if fields.get(f"lang_{code}") == "1"]
        reason = fields.get("reason", "")
        if fields.get("change") == "revoke":
            roles.revoke(session, actor=viewer, user=user, role=fields.get("role", ""), reason=reason)
        else:
            kept_admin = roles.grant(session, actor=viewer, user=user, role=fields.get("role", ""),
                                     languages=languages, reason=reason)
    except AppError as exc:
        session.rollback()
        return rerender(request, "review/roles.html", _roles_context(session, form), exc, field="pseudonym",
                        noindex=True)
    return redirect(request, "review.roles", _query={"saved": 1, "kept_admin": 1 if kept_admin else None})
