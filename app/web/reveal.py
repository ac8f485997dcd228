"""Secrets shown once (recovery codes, a diary share link), kept readable for a short while.

The server keeps only hashes of these secrets, so a page that shows one cannot be
rebuilt later. To survive a reload, a print or a language switch, the values ride in
a short-lived cookie after a redirect (post/redirect/get): HttpOnly, SameSite=Strict,
signed with the server secret and bound to the member's session cookie, so it is
useless in another browser or after logging out (which deletes it).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from fastapi import Request, Response

from app.security import constant_time_equals, keyed_hash
from app.web.middleware import SESSION_COOKIE

PREFIX = "tk_show_"
NAMES = ("codes", "link")
MAX_AGE_SECONDS = 30 * 60


def _signature(request: Request, name: str, payload: str, expires: int) -> str:
    binding = request.state.cookies.get(SESSION_COOKIE, "")
    return keyed_hash(request.app.state.secret, f"reveal:{name}", f"{binding}|{expires}|{payload}")


def keep(request: Request, response: Response, name: str, value: Any, *, session_token: str | None = None) -> None:
    """Attach `value` (JSON-able) to the response; `session_token` when the session is opened by this response."""
    if session_token is not None:
        request.state.cookies = {**request.state.cookies, SESSION_COOKIE: session_token}
    expires = int(time.time()) + MAX_AGE_SECONDS
    payload = base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    response.set_cookie(
        PREFIX + name, f"{payload}.{expires}.{_signature(request, name, payload, expires)}",
        max_age=MAX_AGE_SECONDS, path="/", httponly=True, samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )


def read(request: Request, name: str) -> Any | None:
    """The kept value, or None when absent, expired, tampered with or from another session."""
    raw = request.state.cookies.get(PREFIX + name, "")
    try:
        payload, expires_text, signature = raw.split(".")
        expires = int(expires_text)
    except ValueError:
        return None
    if expires < time.time() or not constant_time_equals(signature, _signature(request, name, payload, expires)):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None


def forget(response: Response, *names: str) -> None:
    for name in names or NAMES:
        response.delete_cookie(PREFIX + name, path="/")
