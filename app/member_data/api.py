"""JSON routes (contract): POST/GET /api/v1/me/export, DELETE /api/v1/me."""

from __future__ import annotations

import datetime as dt

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.accounts.permissions import CurrentUser
from app.db import SessionDep, utcnow
from app.member_data import service
from app.member_data.models import ExportStatus
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.downloads import attachment
from app.web.routing import api_router
from app.web.templating import url_for

router = api_router()
POLL_SECONDS = 2


class ExportState(BaseModel):
    status: ExportStatus
    requested_at: dt.datetime
    url: str


class ErasureIn(BaseModel):
    password: str = Field(max_length=2048)
    keep_posts: bool = True


class ErasureScheduled(BaseModel):
    erase_at: dt.datetime = Field(description="When the erasure becomes final; logging in before cancels it")


def _state(request: Request, status: ExportStatus, requested_at: dt.datetime) -> JSONResponse:
    body = ExportState(status=status, requested_at=requested_at, url=url_for(request, "api.me.export"))
    return JSONResponse(body.model_dump(mode="json"), status_code=202,
                        headers={"Location": body.url, "Retry-After": str(POLL_SECONDS)})


@router.post("/me/export", status_code=202, response_model=ExportState, name="api.me.export.request")
def request_export(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    """Ask for a download of everything the forum keeps about you; fetch it from GET /me/export."""
    export = service.request_export(session, user=viewer)
    return _state(request, export.status, export.requested_at)


@router.get("/me/export", name="api.me.export", response_model=ExportState,
            responses={200: {"content": {"application/zip": {}}, "description": "The zip, when ready"},
                       202: {"model": ExportState, "description": "Still being prepared: ask again"}})
def get_export(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    export = service.get_export(session, user=viewer)
    if export.status != ExportStatus.ready or export.archive is None:
        return _state(request, export.status, export.requested_at)
    return attachment(export.archive, "application/zip",
                      f"trefle-klaver-{viewer.pseudonym}-{utcnow().date().isoformat()}.zip")


@router.delete("/me", status_code=202, response_model=ErasureScheduled, name="api.me.delete")
def delete_me(request: Request, body: ErasureIn, session: SessionDep, settings: SettingsDep,
              viewer: CurrentUser) -> ErasureScheduled:
    """Delete your account: final after a 7-day grace period; logging in before then cancels it.

    A wrong password counts as a failed log-in; too many answer 429 with Retry-After.
    """
    final = service.request_erasure(session, settings, user=viewer, password=body.password, confirmed=True,
                                    keep_posts=body.keep_posts, client_key=throttle_key(request, "login"))
    return ErasureScheduled(erase_at=final)
