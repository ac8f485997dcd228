"""The session cookie: set at log-in (replacing the pre-session cookie), cleared at log-out."""

from __future__ import annotations

from fastapi import Request, Response

from app.settings import Settings
from app.web.middleware import PRESESSION_COOKIE, SESSION_COOKIE


def set_session_cookie(request: Request, response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_days * 86400, path="/",
        httponly=True, samesite="lax", secure=settings.secure_cookies,
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    request.state.session_set = True


def clear_session_cookie(response: Response) -> None:
    # Secrets still waiting to be shown (app/accounts/reveal.py) go with the session's row.
    response.delete_cookie(SESSION_COOKIE, path="/")
    # A shared computer keeps nothing of the member: cached pages, and drafts kept in the browser's
    # storage (static/js/site.js also deletes them when the log-out form is sent). Cookies stay: the
    # language choice is not the member's data, and the session cookie is deleted just above.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'

