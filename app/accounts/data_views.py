"""A member's own data: download it all, or delete the account (GDPR arts. 15, 17, 20)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.cookies import clear_session_cookie
from app.accounts.models import User
from app.accounts.permissions import CurrentUser
from app.db import SessionDep, utcnow
from app.diary import export as diary_export
from app.errors import ValidationFailed
from app.forum import service as forum_service
from app.i18n_markers import N_
from app.web.templating import render

router = APIRouter()

# Each domain contributes its part of a member's export and its clean-up on deletion.
EXPORTERS: dict[str, Callable[[Session, User], object]] = {
    "account": lambda session, user: service.export_account(session, user=user),
    "forum": lambda session, user: forum_service.export_member_content(session, user=user),
    "diary": lambda session, user: diary_export.export_member_diary(session, user=user),
}


@router.get("/account/data", name="accounts.data")
def data_page(request: Request, viewer: CurrentUser) -> Response:
    return render(request, "accounts/data.html", {"errors": {}}, noindex=True)


@router.get("/account/data/export.json", name="accounts.export")
def export(session: SessionDep, viewer: CurrentUser) -> Response:
    payload = {"exported_at": utcnow().isoformat(), **{k: f(session, viewer) for k, f in EXPORTERS.items()}}
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    filename = f"trefle-klaver-{viewer.pseudonym}-{utcnow().date().isoformat()}.json"
    return Response(body, media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/account/delete", name="accounts.delete")
def delete(request: Request, session: SessionDep, viewer: CurrentUser, lang: str,
           delete_password: Annotated[str, Form()] = "", posts: Annotated[str, Form()] = "keep",
           confirm: Annotated[str, Form()] = "") -> Response:
    try:
        if confirm != "yes":
            raise ValidationFailed(N_("Tick the box to confirm that you want to delete your account."),
                                   field="confirm")
        service.confirm_password(request.app.state.settings, user=viewer, password=delete_password,
                                 field="delete_password")
    except ValidationFailed as exc:
        return render(request, "accounts/data.html", {"errors": {exc.field or "confirm": exc.translated()},
                                                      "posts": posts}, status_code=422, noindex=True)
    forum_service.erase_member_content(session, user=viewer, remove_posts=posts == "remove")
    service.delete_account(session, user=viewer)
    response = RedirectResponse(f"/{lang}/?deleted=1", status_code=303)
    clear_session_cookie(response)
    return response
