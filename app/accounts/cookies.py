from __future__ import annotations

from fastapi import Request, Response

from app.web.middleware import PRESESSION_COOKIE, SESSION_COOKIE


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_days * 86400, path="/",
        httponly=True, samesite="lax", secure=request.app.state.secure_cookies,
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    request.state.session_set = True


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
