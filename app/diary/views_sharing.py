"""Who sees the diary: settings, share links, the printable summary, exports, and the shared views.

A share link opens the read-only summary (chart, table, plan, questions) and
nothing else: no notes, no pseudonym, no link into the rest of the site's
member pages. Members' view (visibility "members") has no questions either.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts import reveal
from app.accounts.models import User
from app.accounts.permissions import CurrentUser, Viewer
from app.db import SessionDep, utcnow
from app.diary import export, service, sharing, summary
from app.diary.permissions import access_member_diary, access_shared_diary
from app.diary.views_entries import MOOD_LABELS, private_page
from app.errors import AppError
from app.settings import SettingsDep
from app.web.downloads import attachment, excel_filename
from app.web.forms import FormFields, rerender
from app.web.params import Id
from app.web.templating import redirect, url_for

router = APIRouter()


def _settings_context(session: SessionDep, viewer: CurrentUser) -> dict[str, object]:
    return {
        "settings": service.get_diary_settings(session, user_id=viewer.id),
        "links": sharing.list_share_links(session, user=viewer), "errors": {}, "notice": None, "new_link": None,
    }


@router.get("/diary/settings", name="diary.settings")
def settings_page(request: Request, session: SessionDep, viewer: CurrentUser, notice: str | None = None) -> Response:
    response = private_page(request, "diary/settings.html", {
        **_settings_context(session, viewer), "notice": notice, "new_link": reveal.read(request, session, "link"),
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/diary/settings", name="diary.settings_save")
def save_settings(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    try:
        service.update_settings(session, user=viewer, visibility=form.get("visibility", ""),
                                taper_line_on=form.get("taper_line") == "1")
    except AppError as exc:
        return rerender(request, "diary/settings.html", _settings_context(session, viewer), exc, field="visibility",
                        noindex=True)
    return redirect(request, "diary.settings", _query={"notice": "saved"})


@router.post("/diary/share", name="diary.share_create")
def create_link(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                form: FormFields) -> Response:
    """Only the link's hash is stored: the address itself is shown for a short while (reveal), then never again."""
    try:
        _link, token = sharing.create_share_link(session, user=viewer, label=form.get("label", ""))
    except AppError as exc:
        return rerender(request, "diary/settings.html", _settings_context(session, viewer), exc, field="label",
                        noindex=True)
    origin = settings.public_origin or str(request.base_url)
    address = origin.rstrip("/") + url_for(request, "diary.shared", token=token)
    response = redirect(request, "diary.settings", _fragment="new-link")
    reveal.keep(request, session, "link", address)
    return response


@router.post("/diary/share/{link_id}/revoke", name="diary.share_revoke")
def revoke_link(request: Request, session: SessionDep, viewer: CurrentUser, link_id: Id) -> Response:
    sharing.revoke_share_link(session, user=viewer, link_id=link_id)
    return redirect(request, "diary.settings", _query={"notice": "revoked"})


def _summary_context(session: SessionDep, owner: User, *, mode: str) -> dict[str, object]:
    locale = i18n.get_locale()
    built = summary.build_summary(session, owner=owner, locale=locale)
    return {"summary": built, "mode": mode, "mood_labels": MOOD_LABELS,
            "pieces_text": lambda pieces: summary.pieces_text(pieces, locale)}


@router.get("/diary/summary", name="diary.summary")
def summary_page(request: Request, session: SessionDep, viewer: CurrentUser, notice: str | None = None) -> Response:
    context = _summary_context(session, viewer, mode="owner")
    return private_page(request, "diary/summary.html", {**context, "notice": notice, "errors": {}})


@router.post("/diary/questions", name="diary.questions_save")
def save_questions(request: Request, session: SessionDep, viewer: CurrentUser, form: FormFields) -> Response:
    try:
        service.save_questions(session, user=viewer, questions=form.get("questions", ""))
    except AppError as exc:
        context = {**_summary_context(session, viewer, mode="owner"), "notice": None,
                   "questions_form": form.get("questions", "")}
        return rerender(request, "diary/summary.html", context, exc, field="questions", noindex=True)
    return redirect(request, "diary.summary", _query={"notice": "saved"}, _fragment="my-questions")


@router.get("/diary/shared/{token}", name="diary.shared")
def shared(request: Request, session: SessionDep, viewer: Viewer, token: str) -> Response:
    """What a share link names: the summary, read-only. Unknown or revoked links are 404."""
    _link, owner = access_shared_diary(session, token)
    return private_page(request, "diary/shared.html", _summary_context(session, owner, mode="shared"))


@router.get("/diary/member/{user_id}", name="diary.member")
def member(request: Request, session: SessionDep, viewer: CurrentUser, user_id: Id) -> Response:
    owner = access_member_diary(session, viewer, user_id)
    return private_page(request, "diary/member.html", {**_summary_context(session, owner, mode="member"),
                                                        "owner": owner})


def _filename(extension: str) -> str:
    return f"trefle-klaver-diary-{utcnow().date().isoformat()}.{extension}"


@router.get("/diary/export.csv", name="diary.export_csv")
def export_csv(session: SessionDep, viewer: CurrentUser, excel: bool = False) -> Response:
    """The diary as CSV; `?excel=1`: the variant for Excel with Belgian settings (";", decimal commas)."""
    filename = excel_filename(_filename("csv")) if excel else _filename("csv")
    return attachment(export.export_csv(session, user=viewer, excel=excel), "text/csv; charset=utf-8", filename)


@router.get("/diary/export.json", name="diary.export_json")
def export_json(session: SessionDep, viewer: CurrentUser) -> Response:
    payload = {"exported_at": utcnow().isoformat(), "diary": export.export_member_diary(session, user=viewer)}
    return attachment(json.dumps(payload, ensure_ascii=False, indent=2), "application/json; charset=utf-8",
                      _filename("json"))
