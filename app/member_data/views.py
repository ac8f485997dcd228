"""The "My data" page: download everything, or delete the account."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import Response

from app.accounts.cookies import clear_session_cookie
from app.accounts.permissions import CurrentUser
from app.db import SessionDep, utcnow
from app.errors import AppError, NotFound, each_error
from app.i18n_markers import N_
from app.member_data import farewell, privacy, service
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.downloads import attachment
from app.web.forms import FormStr, rerender
from app.web.routing import html_router
from app.web.templating import redirect, render

router = html_router()
#: How often the export's status page checks again while the zip is prepared (a reload with no script; a quiet
#: fetch with one: js/export_status.js).
EXPORT_REFRESH_SECONDS = 5


def _page_context(session: SessionDep, viewer: CurrentUser) -> dict[str, object]:
    return {"errors": {}, "download": service.current_export(session, user=viewer),
            "grace_days": service.ERASURE_GRACE_DAYS, "keep_days": service.EXPORT_KEEP_DAYS}


@router.get("/privacy", name="member_data.privacy")
def privacy_page(request: Request, settings: SettingsDep) -> Response:
    """What is stored and for how long, from the settings in force (app/member_data/privacy.py)."""
    return render(request, "member_data/privacy.html", {"rows": privacy.rows(settings)})


@router.get("/account/data", name="member_data.page")
def data_page(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    return render(request, "member_data/page.html", _page_context(session, viewer), noindex=True)


@router.get("/account/data/export.json", name="member_data.export")
def export(session: SessionDep, viewer: CurrentUser) -> Response:
    body = json.dumps(service.export_member_data(session, user=viewer), ensure_ascii=False, indent=2)
    return attachment(body, "application/json; charset=utf-8",
                      f"trefle-klaver-{viewer.pseudonym}-{utcnow().date().isoformat()}.json")


@router.post("/account/data/export", name="member_data.request_export")
def request_export(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    service.request_export(session, user=viewer)
    return redirect(request, "member_data.export_status")


@router.get("/account/data/export", name="member_data.export_status")
def export_status(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    """Where the zip is: a page of its own, which checks again by itself only while the zip is prepared.

    Not the "My data" page: a reload there would wipe a password being typed in the deletion form.
    """
    download = service.current_export(session, user=viewer)
    return render(request, "member_data/export_status.html",
                  {"download": download, "keep_days": service.EXPORT_KEEP_DAYS,
                   "refresh_seconds": EXPORT_REFRESH_SECONDS}, noindex=True)


@router.get("/account/data/export.zip", name="member_data.export_zip")
def export_zip(session: SessionDep, viewer: CurrentUser) -> Response:
    download = service.get_export(session, user=viewer)
    if download.archive is None:
        raise NotFound(N_("Your download is still being prepared. Reload this page in a moment."))
    return attachment(download.archive, "application/zip",
                      f"trefle-klaver-{viewer.pseudonym}-{utcnow().date().isoformat()}.zip")


@router.post("/account/delete", name="member_data.delete")
def delete(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
           delete_password: FormStr = "", posts: FormStr = "keep", confirm: FormStr = "") -> Response:
    try:
        final = service.request_erasure(session, settings, user=viewer, password=delete_password,
                                        confirmed=confirm == "yes", keep_posts=posts != "remove",
                                        client_key=throttle_key(request, "login"))
    except AppError as exc:
        # A right password comes back (only to this browser, in a no-store page), so ticking the box is enough.
        kept = delete_password if all(p.field != "delete_password" for p in each_error(exc)) else ""
        context = {**_page_context(session, viewer), "posts": posts, "confirm": confirm, "kept_password": kept}
        return rerender(request, "member_data/page.html", context, exc, field="confirm", noindex=True)
    # Post/Redirect/Get: a reload of the confirmation must not send the form again (it would find the session
    # gone: "form expired"). Logged out everywhere, so the page's address carries what it says (farewell.py).
    signed = farewell.sign(request.app.state.secret, erase_at=final, keep_posts=posts != "remove")
    response = redirect(request, "member_data.scheduled", _query={"s": signed})
    clear_session_cookie(response)
    return response


@router.get("/account/deleted", name="member_data.scheduled")
def scheduled(request: Request, s: str = "") -> Response:
    """The deletion's confirmation; with a value that is not ours or too old, the same news in general terms."""
    told = farewell.read(request.app.state.secret, s)
    return render(request, "member_data/scheduled.html",
                  {"scheduled": told, "grace_days": service.ERASURE_GRACE_DAYS}, noindex=True)
