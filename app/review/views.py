"""Review's public pages: the guidelines, help lines, the public moderation log, reporting a post.

The moderators' and members' pages live beside this module (views_queue,
views_team, views_guidelines, views_admin, views_member); this router
includes them all.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

import moderation
from app import helplines
from app.accounts.permissions import Viewer
from app.db import SessionDep
from app.errors import AppError
from app.review import audit, reports
from app.review.reports import ReportInput
from app.review.views_admin import router as admin_router
from app.review.views_guidelines import router as guidelines_router
from app.review.views_member import router as member_router
from app.review.views_queue import VOCABULARY
from app.review.views_queue import router as queue_router
from app.review.views_team import router as team_router
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.forms import FormStr, rerender
from app.web.params import Id, PageNumber
from app.web.routing import html_router
from app.web.templating import render, url_for

router = html_router()
for _sub in (queue_router, team_router, guidelines_router, admin_router, member_router):
    router.include_router(_sub)

CATEGORY_ORDER = ("stigma", "cold_turkey_advice", "crisis", "sourcing", "personal_data")


@router.get("/guidelines", name="review.guidelines")
def guidelines(request: Request, lang: str) -> Response:
    # The files as moderators have changed them from the web (the engine applies the same).
    lexicon = moderation.effective_lexicon(lang)
    sections = [(category, lexicon.by_category(category)) for category in CATEGORY_ORDER]
    return render(request, "review/guidelines.html", {"sections": sections})


@router.get("/help", name="review.helplines")
def helplines_page(request: Request, lang: str) -> Response:
    return render(request, "review/helplines.html", {
        "lines": helplines.for_locale(lang), "others": helplines.for_locale(lang, helplines.OTHER_SERVICES),
    })


@router.get("/moderation-log", name="review.modlog")
def modlog(request: Request, session: SessionDep, page: PageNumber = 1) -> Response:
    return render(request, "review/modlog.html", {**VOCABULARY, "entries": audit.list_public_log(
        session, page=max(page, 1))})


def _report_context(post: object, form: dict[str, str]) -> dict[str, object]:
    return {**VOCABULARY, "post": post, "form": form, "errors": {}}


@router.get("/p/{post_id}/report", name="review.report_form")
def report_form(request: Request, session: SessionDep, viewer: Viewer, post_id: Id, reason: str = "") -> Response:
    post = reports.access_reportable(session, viewer, post_id)
    return render(request, "review/report.html", _report_context(post, {"reason": reason}), noindex=True)


@router.post("/p/{post_id}/report", name="review.report")
def report(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, post_id: Id,
           reason: FormStr = "", text: FormStr = "", location: FormStr = "", notifier_name: FormStr = "",
           notifier_contact: FormStr = "", good_faith: FormStr = "") -> Response:
    post = reports.access_reportable(session, viewer, post_id)
    form = {"reason": reason, "text": text, "location": location, "notifier_name": notifier_name,
            "notifier_contact": notifier_contact, "good_faith": good_faith}
    data = ReportInput(reason=reason, text=text, location=location, notifier_name=notifier_name,
                       notifier_contact=notifier_contact, good_faith=good_faith == "1")
    try:
        reported = reports.create_report(
            session, settings, post=post, reporter=viewer, data=data,
            location=(settings.public_origin or str(request.base_url)).rstrip("/")
            + url_for(request, "forum.post", post_id=post.id),
            client_key=throttle_key(request, "report") if viewer is None else None)
    except AppError as exc:
        return rerender(request, "review/report.html", _report_context(post, form), exc, field="reason",
                        noindex=True)
    status_url = (url_for(request, "review.notice", report_id=reported.report.id, _query={"token": reported.token})
                  if reported.token else None)
    return render(request, "review/report_sent.html", {**VOCABULARY, "report": reported.report, "post": post,
                                                       "status_url": status_url}, status_code=201, noindex=True)


@router.get("/reports/{report_id}", name="review.notice")
def notice_status(request: Request, session: SessionDep, report_id: Id, token: str = "") -> Response:
    """A visitor follows their notice with the secret link they were given."""
    report = reports.get_by_token(session, report_id=report_id, token=token)
    return render(request, "review/notice.html", {**VOCABULARY, "report": report}, noindex=True)
