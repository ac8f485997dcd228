"""CSRF: a token bound to the browser's cookie, plus Fetch-Metadata and Origin checks."""

from __future__ import annotations

from fastapi import Request

from app.errors import CsrfFailed, FieldTooLong, FormUnreadable
from app.i18n_markers import N_
from app.security import csrf_token_expired, csrf_token_matches
from app.settings import request_settings
from app.web.form_body import STATE_KEY as FORM_UNREADABLE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The bodies the CSRF check reads its token from (the `csrf_token` field), where the header is missing.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: The longest value any form field takes, in characters: a post's body is at most settings.max_post_chars
#: (20,000 by default), and the API's text fields stop at the same 100,000 (app/forum/schemas.py BODY_CEILING).
#: A longer field is refused before a route sees it, so no error page or form shows it back in full.
FORM_FIELD_MAX_CHARS = 100_000
#: The forms whose `body` is a post, measured against settings.max_post_chars: over the ceiling, a member is
#: told that limit (the one they can write to), not the ceiling no post ever reaches.
POST_FORMS = frozenset({"forum.reply", "forum.new_thread_post", "forum.edit_post"})
POST_TOO_LONG = N_("Your message is longer than a post can be (at most %(max)s characters), so it was not posted "
                   "and nothing was changed. Nothing you had already saved is lost. Go back: your browser usually "
                   "still holds your text; shorten it or split it into two posts, and send it again.")


def expected_origin(request: Request) -> str:
    configured: str = request_settings(request).public_origin
    if configured:
        return configured.rstrip("/")
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


def verify_origin(request: Request, *, null_is_foreign: bool = False) -> None:
    """Refuse requests a browser marks as coming from another site.

    Our own pages send `Referrer-Policy: no-referrer`, under which browsers send
    `Origin: null` on same-origin form posts; so "null" is not proof of an
    attack, and the token check below stays the real guard. Where there is no
    token to check (the JSON log-in and sign-up, which none of our pages send),
    `null_is_foreign`: "null" is what a sandboxed frame or a `data:` page on
    another site sends, and is refused like that site's own origin would be.
    """
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise CsrfFailed()
    origin = request.headers.get("origin")
    if origin == "null" and null_is_foreign:
        raise CsrfFailed()
    if origin and origin != "null" and origin.rstrip("/") != expected_origin(request):
        raise CsrfFailed()
    referer = request.headers.get("referer")
    if not origin and referer and not referer.startswith(expected_origin(request) + "/"):
        raise CsrfFailed()


def proven_same_origin(request: Request) -> bool:
    """The browser says this request came from one of our own pages.

    `Sec-Fetch-Site` is set by the browser and cannot be forged by a page; where a
    browser does not send it, an `Origin` equal to ours is the proof ("null",
    which our no-referrer policy makes common, proves nothing).
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin") or "null"
    return origin != "null" and origin.rstrip("/") == expected_origin(request)


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing route (forms and JSON)."""
    if request.method in SAFE_METHODS:
        return
    verify_origin(request)
    token = request.headers.get("x-csrf-token")
    form = None
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # read to its end, so the watcher has seen all of it
        if getattr(request.state, FORM_UNREADABLE, False):
            # Cut short or damaged: a missing token here says nothing about another site.
            raise FormUnreadable()
        value = form.get("csrf_token")
        token = token if token is not None else value if isinstance(value, str) else None
    secret: bytes = request.app.state.secret
    if not token or not csrf_token_matches(secret, request.state.csrf_binding, token):
        raise CsrfFailed(resubmittable=token is not None and csrf_token_expired(secret, token)
                         and proven_same_origin(request))
    if form is not None and any(isinstance(v, str) and len(v) > FORM_FIELD_MAX_CHARS for v in form.values()):
        body = form.get("body")
        route = getattr(request.scope.get("route"), "name", None)
        if route in POST_FORMS and isinstance(body, str) and len(body) > FORM_FIELD_MAX_CHARS:
            raise FieldTooLong(POST_TOO_LONG, max=request_settings(request).max_post_chars)
        raise FieldTooLong(max=FORM_FIELD_MAX_CHARS)  # grouped as the reader's language does: 100 000
