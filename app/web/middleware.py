"""ASGI middleware: locale, CSRF binding cookie, security headers. No address is logged."""

from __future__ import annotations

import functools
import re
from http.cookies import SimpleCookie
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.security import csrf_token_for, new_token
from app.web.form_body import watch_form_body

SESSION_COOKIE = "tk_session"
PRESESSION_COOKIE = "tk_pre"
LANG_COOKIE = "tk_lang"
LANG_COOKIE_AGE = 365 * 86400

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


HSTS = "max-age=63072000; includeSubDomains"  # two years, as hstspreload.org asks
_SECURITY_RAW = tuple((key.encode("latin-1"), value.encode("latin-1")) for key, value in SECURITY_HEADERS.items())
_SECURITY_HSTS = (*_SECURITY_RAW, (b"strict-transport-security", HSTS.encode("latin-1")))
_PRIVATE_SEGMENTS = ("diary", "account")
_PRIVATE_API = ("/api/v1/diary", "/api/v1/me", "/api/v1/session", "/api/v1/accounts")


def is_private_path(path: str) -> bool:
    """Pages that hold a member's own data (diary, exports, recovery codes, account)."""
    parts = path.lstrip("/").split("/")
    if len(parts) > 1 and parts[0] in i18n.LOCALES and parts[1] in _PRIVATE_SEGMENTS:
        return True
    return path.startswith(_PRIVATE_API)


def apply_security_headers(headers: MutableHeaders, *, path: str, has_session: bool, hsts: bool) -> None:
    """Every response's security headers, error pages included (app/web/errors.py calls this too).

    A member's own pages, and every page seen with a session (it shows who is
    logged in), are `no-store`: nothing of them may stay in a shared computer's
    cache or be shown again by the back button after logging out.
    """
    # One pass over what the answer set already (MutableHeaders.setdefault scans the list per header).
    present = {key for key, _ in headers.raw}
    headers.raw.extend(pair for pair in (_SECURITY_HSTS if hsts else _SECURITY_RAW) if pair[0] not in present)
    if not path.startswith("/static/"):
        private = has_session or is_private_path(path)
        headers.setdefault("cache-control", "no-store" if private else "no-cache, private")
        if "cookie" not in headers.get("vary", "").lower():
            headers.append("vary", "Cookie")


def read_cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is the client's problem, not a 500
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def locale_for(scope: Scope, cookies: dict[str, str], default: str) -> str:
    """URL prefix first; then the language cookie; then Accept-Language; then the default locale."""
    first = scope.get("path", "/").lstrip("/").split("/", 1)[0]
    if first in i18n.LOCALES:
        return first
    if cookies.get(LANG_COOKIE) in i18n.LOCALES:
        return cookies[LANG_COOKIE]
    return i18n.negotiate(header(scope, b"accept-language")) or default


def cookie_header(name: str, value: str, *, max_age: int | None = None, httponly: bool = False,
                  secure: bool = False) -> str:
    """A Set-Cookie value built by Starlette's cookie API (this middleware has no Response to set it on).

    Values that need no quoting (tokens, language codes) are put into the header built once
    per kind of cookie; anything else is built whole each time.
    """
    if _PLAIN_VALUE.fullmatch(value) is None:
        return _built_cookie_header(name, value, max_age, httponly, secure)
    before, after = _cookie_template(name, max_age, httponly, secure)
    return before + value + after


_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_-]+")


def _built_cookie_header(name: str, value: str, max_age: int | None, httponly: bool, secure: bool) -> str:
    response = Response()
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=httponly, samesite="lax", secure=secure)
    return response.headers["set-cookie"]


@functools.cache
def _cookie_template(name: str, max_age: int | None, httponly: bool, secure: bool) -> tuple[str, str]:
    marker = "MARKER0value0MARKER"
    before, found, after = _built_cookie_header(name, marker, max_age, httponly, secure).partition(marker)
    assert found, "a plain cookie value is written as is"
    return before, after


class WebMiddleware:
    def __init__(self, app: ASGIApp, *, secret: bytes, secure_cookies: bool, default_locale: str,
                 hsts: bool = False) -> None:
        self.app = app
        self.secret = secret
        self.secure_cookies = secure_cookies
        self.default_locale = default_locale
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = read_cookies(scope)
        locale = locale_for(scope, cookies, self.default_locale)
        i18n.set_locale(locale)
        binding = cookies.get(SESSION_COOKIE) or cookies.get(PRESESSION_COOKIE)
        new_pre = None
        if not binding:
            binding = new_pre = new_token(24)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["locale"] = locale
        state["cookies"] = cookies
        state["csrf_binding"] = binding
        state["csrf_token"] = csrf_token_for(self.secret, binding)
        # No member session: reads may come from a replica a moment behind (app.db.get_session).
        state["anonymous"] = not cookies.get(SESSION_COOKIE)
        state["hsts"] = self.hsts
        is_static = scope.get("path", "").startswith("/static/")
        first_segment = scope.get("path", "/").lstrip("/").split("/", 1)[0]
        path_locale = first_segment if first_segment in i18n.LOCALES else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                apply_security_headers(headers, path=scope.get("path", ""), has_session=SESSION_COOKIE in cookies,
                                       hsts=self.hsts)
                if new_pre and not is_static and not state.get("session_set"):
                    headers.append("set-cookie", cookie_header(PRESESSION_COOKIE, new_pre, httponly=True,
                                                               secure=self.secure_cookies))
                if path_locale and cookies.get(LANG_COOKIE) != path_locale:
                    headers.append("set-cookie", cookie_header(LANG_COOKIE, path_locale, max_age=LANG_COOKIE_AGE,
                                                               secure=self.secure_cookies))
            await send(message)

        await self.app(scope, watch_form_body(scope, receive), send_with_headers)


class HeadMiddleware:
    """HEAD is answered wherever GET is: the GET's status and headers (Content-Length included), no body.

    Routes declare GET only; the request goes through as a GET (rate limits, page
    cache and all) and the body is dropped on the way out. The app sees a copy of the scope, so the
    server and the request log still see HEAD.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        # A copy: the server reads the method of its own scope while the answer is sent (uvicorn sends no body
        # for HEAD and refuses one shorter than Content-Length), and the request log reads HEAD from it.
        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, without_body)
        finally:  # what the layers inside learnt (the route, for the request log), the method apart
            scope.update((key, value) for key, value in inner.items() if key != "method")
