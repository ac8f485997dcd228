"""'Report an error in the medication data': the form on the diary pages, for the moderators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.diary import data_reports
from app.diary.views_entries import private_page
from app.errors import AppError
from app.web.forms import FormFields, rerender
from app.web.templating import redirect

router = APIRouter()
TEMPLATE = "diary/data_report.html"


def _context(form: dict[str, str]) -> dict[str, object]:
    return {"form": form, "errors": {}, "text_max": data_reports.TEXT_MAX}


@router.get("/diary/medication-data/report", name="diary.data_report")
def report_form(request: Request, viewer: CurrentUser, product: str = "", page: str = "other") -> Response:
    form = {"product": product[:data_reports.PRODUCT_MAX], "page": page if page in data_reports.PAGES else "other"}
    return private_page(request, TEMPLATE, _context(form))


@router.post("/diary/medication-data/report", name="diary.data_report_send")
def send_report(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    data = data_reports.DataReportInput(product=form.get("product", ""), text=form.get("text", ""),
                                        evidence=form.get("evidence", ""), page=form.get("page", "other"))
    try:
        data_reports.report_error(session, reporter=viewer, lang=i18n.get_locale(), data=data)
    except AppError as exc:
        return rerender(request, TEMPLATE, _context(form), exc, field="text", noindex=True)
    return redirect(request, "diary.data_report_sent")


@router.get("/diary/medication-data/report/sent", name="diary.data_report_sent")
def report_sent(request: Request, viewer: CurrentUser) -> Response:
    return private_page(request, TEMPLATE, {**_context({}), "sent": True})
