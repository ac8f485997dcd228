"""The "My data" page: download everything, or delete the account."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.cookies import clear_session_cookie
from app.accounts.permissions import CurrentUser
from app.db import SessionDep, utcnow
from app.errors import AppError
from app.member_data import service
from app.settings import SettingsDep
from app.web.downloads import attachment
from app.web.forms import FormStr, rerender
from app.web.routing import html_router
from app.web.templating import render

router = html_router()


@router.get("/account/data", name="member_data.page")
def data_page(request: Request, viewer: CurrentUser) -> Response:
    return render(request, "member_data/page.html", {"errors": {}}, noindex=True)


@router.get("/account/data/export.json", name="member_data.export")
def export(session: SessionDep, viewer: CurrentUser) -> Response:
    body = json.dumps(service.export_member_data(session, user=viewer), ensure_ascii=False, indent=2)
    return attachment(body, "application/json; charset=utf-8",
                      f"trefle-klaver-{viewer.pseudonym}-{utcnow().date().isoformat()}.json")


@router.post("/account/delete", name="member_data.delete")
def delete(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, lang: str,
           delete_password: FormStr = "", posts: FormStr = "keep", confirm: FormStr = "") -> Response:
    try:
        service.delete_account(session, settings, user=viewer, password=delete_password, confirmed=confirm == "yes",
                               remove_posts=posts == "remove")
    except AppError as exc:
        return rerender(request, "member_data/page.html", {"posts": posts}, exc, field="confirm", noindex=True)
    response = RedirectResponse(f"/{lang}/?deleted=1", status_code=303)
    clear_session_cookie(response)
    return response
