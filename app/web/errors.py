"""One place turns failures into pages or JSON in the request's language."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, cast
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.db import is_unavailable
from app.errors import AppError, CsrfFailed, DatabaseBusy, ServiceBusy, Unauthenticated, each_error
from app.i18n import LocalNumber, gettext
from app.i18n_markers import N_
from app.web.csrf import FORM_TYPES, SAFE_METHODS, verify_csrf, verify_origin
from app.web.middleware import SESSION_COOKIE, apply_security_headers
from app.web.params import NOT_CANONICAL
from app.web.templating import render, url_for

log = logging.getLogger("forum.errors")

# Fields never echoed back into a page.
_SECRET_FIELDS = ("password", "new_password", "current_password", "password_confirm", "csrf_token", "code")

HTTP_MESSAGES = {
    # Starlette's form parser refuses a field over 1 MB (or a broken multipart body) with a bare 400.
    400: N_("What you sent could not be read: a field may be far too long. Go back: your browser "
            "usually still holds your text, and you can shorten it or save part of it first."),
    404: N_("This page does not exist, or you cannot see it."),
    405: N_("This address does not accept that kind of request."),
    413: N_("What you sent is too large."),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _carried_fields(request: Request) -> list[tuple[str, str]]:
    """The submitted form fields (minus secrets), so a failed post loses nothing."""
    if request.method != "POST":
        return []
    try:
        form = await request.form()
    except Exception:  # an unreadable body has nothing to carry
        return []
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k not in _SECRET_FIELDS]


def _api_error(exc: AppError) -> JSONResponse:
    detail = exc.translated()
    body: dict[str, object] = {"detail": detail, **exc.extra}
    if exc.field:
        body["field"] = exc.field
    if exc.status_code == 422:  # one 422 shape, whether pydantic or a service found the problem
        body.setdefault("field", "body")
        body["errors"] = [{"field": problem.field or body["field"], "type": "invalid", "message": problem.translated()}
                          for problem in each_error(exc)]
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


# Forms where a member writes something of their own, and the page that shows each form again.
TEXT_FORMS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "forum.reply": ("forum.thread", ("thread_id",), "reply"),
    "forum.new_thread_post": ("forum.new_thread", ("slug",), None),
    "forum.edit_post": ("forum.edit", ("post_id",), None),
    "diary.entry_save": ("diary.entry_new", (), None),
}
# What each kept field is called on that page (a screen reader tells the title from the message).
KEPT_LABELS = {"title": N_("Title you sent"), "body": N_("Message you sent"), "day": N_("Date"),
               "note": N_("Note you sent")}
UNVERIFIED_TEXT = N_("This form could not be checked as coming from a page of this forum, so nothing was saved. "
                     "If you wrote the text below, copy it, open the form again and send it from there.")


def _plainly_cross_site(request: Request) -> bool:
    """The browser says another site sent this request (Fetch Metadata, Origin or Referer)."""
    try:
        verify_origin(request)
    except CsrfFailed:
        return True
    return False


# What a member typed is shown (read-only) under KEPT_LABELS; a diary day's medication rows as one line each.
_MEDICATION_ROW = re.compile(r"(drug|dose)_(\d+)")


def _kept_texts(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, text) for each field a member wrote in, in the form's order; empty fields left out."""
    values = {name: value.strip() for name, value in fields}
    kept: list[tuple[str, str]] = []
    rows: list[str] = []
    for name, value in fields:
        row = _MEDICATION_ROW.fullmatch(name)
        if row and row.group(2) not in rows:
            rows.append(row.group(2))
            line = " ".join(filter(None, (values.get(f"drug_{row.group(2)}"), values.get(f"dose_{row.group(2)}"))))
            if line:
                kept.append((gettext(N_("Medication and dose (mg)")), line))
        elif name in KEPT_LABELS and value.strip():
            kept.append((gettext(KEPT_LABELS[name]), value))
    # A date alone (the diary form always sends one) is no text of the member's to keep.
    return kept if any(label != gettext(KEPT_LABELS["day"]) for label, _ in kept) else []


async def _unverified_text_page(request: Request, exc: CsrfFailed) -> Response | None:
    """A member's own text from a form whose token failed: shown to copy, never re-sent by a button.

    Re-posting the fields with a fresh token would turn a forged request into a
    working one (issue 9), so the text is only shown, with a link to the form; a
    request the browser marks as another site's gets nothing back.
    """
    form = TEXT_FORMS.get(_route_name(request))
    if form is None or request.method != "POST" or _plainly_cross_site(request):
        return None
    page, params, fragment = form
    texts = _kept_texts(await _carried_fields(request))
    if not texts:
        return None
    back = url_for(request, page, _fragment=fragment, **{k: request.path_params[k] for k in params})
    return render(request, "errors/kept_text.html", {"reason": gettext(UNVERIFIED_TEXT), "texts": texts,
                                                     "back": back}, status_code=exc.status_code, noindex=True)


def resubmit_page(request: Request, *, reason: str, action: str, fields: list[tuple[str, str]], needs_login: bool,
                  status_code: int = 200, **context: Any) -> Response:
    """The member's text, kept, with a button to send it again (and a log-in form when needed)."""
    return render(request, "errors/resubmit.html", {
        "reason": reason, "action": action, "fields": fields, "needs_login": needs_login,
        "carried": json.dumps(fields, ensure_ascii=False), **context,
    }, status_code=status_code)


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if _is_api(request):
        if not isinstance(exc, Unauthenticated) and await _visitor_refused(request):
            # The API router's CSRF check (and any other check it runs) comes before the route's own viewer
            # check: a visitor is told they are not logged in before anything about their request.
            exc = Unauthenticated()
        return _api_error(exc)
    # No session cookie any more (expired, cleared): a member's form needs a log-in before it can go.
    logged_out = SESSION_COOKIE not in request.state.cookies and "/account/" not in request.url.path
    # A same-origin form whose cookies the browser dropped: logging in again (the password, which no
    # other site has) is what re-arms it, as for an ended session.
    relogin = isinstance(exc, CsrfFailed) and exc.resubmittable and logged_out
    if isinstance(exc, CsrfFailed) and not relogin and (kept := await _unverified_text_page(request, exc)):
        return kept
    # Otherwise a request that failed the CSRF check is never re-armed with a fresh token (what another
    # site or a stale page sent would become a working request with one click): its text is only shown.
    resubmit = isinstance(exc, Unauthenticated | ServiceBusy) or relogin
    if resubmit and request.method == "POST":
        response = resubmit_page(request, reason=exc.translated(), action=request.url.path,
                                 fields=await _carried_fields(request),
                                 needs_login=isinstance(exc, Unauthenticated) or logged_out,
                                 status_code=exc.status_code)
        response.headers.update(exc.headers)
        return response
    if isinstance(exc, Unauthenticated):
        return RedirectResponse(url_for(request, "accounts.login", _query={"next": request.url.path}), 303)
    response = render(request, "errors/error.html", {"status": exc.status_code, "message": exc.translated()},
                      status_code=exc.status_code, noindex=True)
    response.headers.update(exc.headers)
    return response


# What pydantic found wrong, said plainly in the member's language (pydantic's own
# messages are English only). Keyed by pydantic's error type; ctx fills the numbers.
VALIDATION_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short (at least %(min_length)s characters)."),
    "string_too_long": N_("This is too long (at most %(max_length)s characters)."),
    "too_short": N_("Too few items (at least %(min_length)s)."),
    "too_long": N_("Too many items (at most %(max_length)s)."),
    "greater_than": N_("Enter a number above %(gt)s."),
    "greater_than_equal": N_("Enter a number no smaller than %(ge)s."),
    "less_than": N_("Enter a number below %(lt)s."),
    "less_than_equal": N_("Enter a number no larger than %(le)s."),
    "finite_number": N_("Enter an ordinary number."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "date_from_datetime_parsing": N_("Enter a date, for example 2026-03-12."),
    "date_parsing": N_("Enter a date, for example 2026-03-12."),
    "date_type": N_("Enter a date, for example 2026-03-12."),
    "bool_parsing": N_("Enter true or false."),
    "bool_type": N_("Enter true or false."),
    "literal_error": N_("Choose one of: %(expected)s."),
    "enum": N_("Choose one of: %(expected)s."),
    "json_invalid": N_("This is not valid JSON."),
}
GENERIC_FIELD_MESSAGE = N_("This value is not valid.")
# Fields whose every problem is better said by what they accept (keyed by the field as _field_name gives it).
FIELD_MESSAGES = {
    "Idempotency-Key": N_("Use 1 to 255 printable ASCII characters, with no spaces or accents (a UUID is usual)."),
}

# Pages name a field in the reader's language; the API keeps the field's own name (a contract).
FIELD_LABELS = {
    "page": N_("page number"),
    "unread": N_("unread only"),
    "q": N_("search words"),
    "in_lang": N_("language"),
    "lang": N_("language"),
    "item_lang": N_("language"),
    "kind": N_("kind"),
    "category": N_("category"),
    "date_from": N_("from"),
    "date_to": N_("to"),
    "since": N_("from"),
    "until": N_("to"),
    "body": N_("text"),
    "title": N_("title"),
    "day": N_("day"),
    "hours": N_("hours"),
}


def field_label(field: str) -> str:
    """A field as a page names it: its label in the reader's language (its own name when it has none)."""
    return gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field
_QUOTED = re.compile(r"'([^']*)'")


#: Errors about the body as a whole: pydantic puts a character position in their "loc" ("body", 1),
#: which is no field of the request.
BODY_LEVEL_ERRORS = frozenset({"json_invalid"})


def _field_name(error: dict[str, object]) -> str:
    loc = error.get("loc", ())
    if error.get("type") in BODY_LEVEL_ERRORS:
        return "body"
    parts = [str(p) for p in (loc[1:] if isinstance(loc, tuple | list) and len(loc) > 1 else ())]
    return ".".join(parts) or "body"


def _field_message(error: dict[str, object]) -> str:
    ctx = error.get("ctx")
    # Floats with the reader's decimal sign; whole numbers stay numbers, which gettext groups ("100 000").
    params: dict[str, object] = {
        key: LocalNumber(value) if isinstance(value, float) else value if type(value) is int else str(value)
        for key, value in (ctx.items() if isinstance(ctx, dict) else ())}
    if "expected" in params:
        # pydantic writes the choices in English ("'a', 'b' or 'c'"): keep only the values.
        expected = str(params["expected"])
        params["expected"] = ", ".join(_QUOTED.findall(expected)) or expected
    msgid = FIELD_MESSAGES.get(_field_name(error)) or VALIDATION_MESSAGES.get(str(error.get("type")),
                                                                              GENERIC_FIELD_MESSAGE)
    try:
        return gettext(msgid, **params)
    except (KeyError, ValueError):  # a context without the number the message names
        return gettext(GENERIC_FIELD_MESSAGE)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Each problem as {field, type, message}: the API's 422 body (see app/web/openapi.py)."""
    return [{"field": _field_name(e), "type": str(e.get("type", "")), "message": _field_message(e)}
            for e in exc.errors()]


#: The dependencies that refuse a visitor (401), and how to tell whether a request's viewer would be found:
#: registered by app.accounts.permissions (web/ sits below the domains and cannot import them).
_VISITOR_GATE: dict[str, Any] = {"dependencies": frozenset(), "viewer_found": None}


def register_visitor_gate(dependencies: Iterable[Callable[..., Any]],
                          viewer_found: Callable[[Request], Awaitable[bool]]) -> None:
    _VISITOR_GATE.update(dependencies=frozenset(dependencies), viewer_found=viewer_found)


def _route_calls(request: Request) -> Iterator[Callable[..., Any]]:
    """The request's route's dependencies, at any depth (the route's own function first)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    stack = [dependant] if dependant is not None else []
    while stack:
        current = stack.pop()
        yield current.call
        stack.extend(current.dependencies)


def _route_depends_on(request: Request, calls: Iterable[Callable[..., Any]]) -> bool:
    """Whether the request's route has one of `calls` among its dependencies, at any depth."""
    wanted = frozenset(calls)
    return any(call in wanted for call in _route_calls(request))


def _route_csrf_check(request: Request) -> Callable[[Request], Awaitable[None]] | None:
    """The CSRF check among the route's dependencies, at any depth: `verify_csrf` itself, or the part of a
    guard that checks it (a guard's `csrf_check`: the report guard checks a member's token and a visitor's
    JSON, and only the member's part is a CSRF check)."""
    for call in _route_calls(request):
        check = verify_csrf if call is verify_csrf else getattr(call, "csrf_check", None)
        if check is not None:
            return cast(Callable[[Request], Awaitable[None]], check)
    return None


def _refuses_visitors(request: Request) -> bool:
    """Whether the request's route has a dependency, at any depth, that refuses a visitor."""
    return _route_depends_on(request, _VISITOR_GATE["dependencies"])


async def _csrf_refused(request: Request) -> CsrfFailed | None:
    """What the route's CSRF check would have said of a request whose body was refused before the check ran.

    FastAPI decodes a JSON body before it runs any dependency: a broken body reached the handler
    before `verify_csrf`, and a member's request with no token was told 422 about its body where
    the same request with a readable body is refused 403. Only for bodies that are not forms: a
    form is read by the check itself, which runs before any of its fields are judged.
    """
    check = None if request.method in SAFE_METHODS else _route_csrf_check(request)
    if check is None:
        return None
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    try:
        await check(request)  # headers only here: the Origin checks, then the X-CSRF-Token header
    except CsrfFailed as refused:
        return refused
    return None


async def _visitor_refused(request: Request) -> bool:
    """The request's route refuses visitors and its viewer is not (or would not be) found."""
    found = _VISITOR_GATE["viewer_found"]
    return found is not None and _refuses_visitors(request) and not await found(request)


async def _refused_before_the_body(request: Request) -> Response | None:
    """The answer a request gets before anything is said about its body: 401 for a visitor, then 403 without
    its token, as the route's dependencies would have said had the body been readable.

    A visitor, or a gone session, is told 401 before anything is said about the request's fields. FastAPI
    decodes a JSON body before it runs any dependency, so an unreadable body reaches the error handlers before
    the dependency that would have refused the visitor; an endpoint that loads its viewer itself
    (accounts.permissions.viewer_later) has not loaded it yet either.
    """
    if await _visitor_refused(request):
        return await app_error_handler(request, Unauthenticated())
    if (refused := await _csrf_refused(request)) is not None:  # then a missing token, as with any body
        return await app_error_handler(request, refused)
    return None


def _canonical_address(request: Request, exc: RequestValidationError) -> str | None:
    """A GET of /t/01 or /t/+1: the one address of the same page (/t/1), query kept, as a relative path.

    A permanent redirect, as forums do for a thread's address: links and search engines
    move to the one address, and no page is kept twice in the visitors' page cache.
    """
    # The path's errors decide; the query's (/t/01?page=0) are answered at the one address, as they are there.
    errors = [e for e in exc.errors() if tuple(e.get("loc", ()))[:1] != ("query",)]
    if request.method not in ("GET", "HEAD") or not errors or any(
            e.get("type") != NOT_CANONICAL or tuple(e.get("loc", ()))[:1] != ("path",) for e in errors):
        return None
    written = {str(request.path_params[str(e["loc"][1])]): str(e["ctx"]["canonical"]) for e in errors}
    segments = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("/")
    path = "/".join(quote(written[unquote(segment)], safe="") if unquote(segment) in written else segment
                    for segment in segments)
    return path + (f"?{request.url.query}" if request.url.query else "")


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if (refused := await _refused_before_the_body(request)) is not None:
        return refused
    if (canonical := _canonical_address(request, exc)) is not None:
        return RedirectResponse(canonical, status_code=308)
    if exc.errors() and all(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
        # /t/abc or /t/99999999999999999999 names no page: not found, like any unknown address; nor does a
        # write to /t/01 (only a GET or HEAD is redirected to its one address).
        return await http_error_handler(request, StarletteHTTPException(404))
    errors = validation_errors(exc)
    if _is_api(request):
        message = gettext("Some fields are missing or not valid: %(fields)s.",
                          fields=", ".join(sorted({e["field"] for e in errors})))
        first = errors[0] if errors else {"field": "body", "message": message}
        detail = (message if len(errors) != 1 else first["message"] if first["field"] == "body"
                  else f"{first['field']}: {first['message']}")
        return JSONResponse({"detail": detail, "field": first["field"], "errors": errors}, status_code=422)
    if request.method in ("GET", "HEAD") and all(tuple(e.get("loc", ())) == ("query", "page") for e in exc.errors()):
        # A page number out of range (or not a number) on a list: its first page, as past its end leads to its last.
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return RedirectResponse(request.url.path + (f"?{urlencode(query)}" if query else ""), status_code=303)
    message = gettext("Some fields are missing or not valid: %(fields)s.",
                      fields=", ".join(sorted({field_label(e["field"]) for e in errors})))
    details = [f"{field_label(e['field'])}: {e['message']}" for e in errors[:5]]
    return render(request, "errors/error.html", {"status": 422, "message": message, "details": details},
                  status_code=422)


def _slash_twin(request: Request) -> str | None:
    """The same path with or without its trailing slash, when that one is a route.

    Starlette's own redirect built an absolute URL from the Host header, which
    anyone can set; this one is a relative path (issue 9, item 12).
    """
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path == "/":
        return None
    twin = path[:-1] if path.endswith("/") else path + "/"
    scope = {**request.scope, "path": twin}
    if any(route.matches(scope)[0] != Match.NONE for route in request.app.router.routes):
        return twin + (f"?{request.url.query}" if request.url.query else "")
    return None


#: What an API client is told of a body that is not UTF-8 text (RFC 8259 §8.1: JSON is exchanged as UTF-8).
UNDECODABLE_JSON = N_("This is not valid JSON: the request body must be UTF-8 text.")


def _undecodable_body(request: Request, exc: StarletteHTTPException) -> bool:
    """FastAPI's 400 for a body it could not decode before any dependency ran (not UTF-8, nested too deep).

    Forms are not among them: their body is read by the CSRF check itself, which says what
    is wrong with a damaged one (app/web/form_body.py).
    """
    return (exc.status_code == 400 and request.method not in SAFE_METHODS and exc.__cause__ is not None
            and not request.headers.get("content-type", "").startswith(FORM_TYPES))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and (twin := _slash_twin(request)) is not None:
        return RedirectResponse(twin, status_code=308)
    if _undecodable_body(request, exc):
        # Refused as the same request with a readable body is (401, then 403), before its body is judged.
        if (refused := await _refused_before_the_body(request)) is not None:
            return refused
        if _is_api(request):  # then said for a client, in the 422 shape every undecodable JSON body gets
            message = gettext(UNDECODABLE_JSON)
            return JSONResponse({"detail": message, "field": "body",
                                 "errors": [{"field": "body", "type": "json_invalid", "message": message}]},
                                status_code=422)
    message = gettext(HTTP_MESSAGES.get(exc.status_code, "Something went wrong with this request."))
    headers = dict(exc.headers or {})  # e.g. Allow on a 405
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=exc.status_code, headers=headers)
    response = render(request, "errors/error.html", {"status": exc.status_code, "message": message},
                      status_code=exc.status_code, noindex=True)
    response.headers.update(headers)
    return response


# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER = "30"


async def database_error_handler(request: Request, exc: Exception) -> Response:
    """Database down or busy: a calm 503 that keeps the member's text; any other database error is a bug."""
    if not is_unavailable(exc):
        return await server_error_handler(request, exc)
    log.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
    message = gettext("The forum cannot reach its database for a moment. Nothing you saved is lost: "
                      "please try again in a minute.")
    headers = {"Retry-After": RETRY_AFTER}
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    if request.method == "POST":
        response = render(request, "errors/resubmit.html",
                          {"reason": message, "action": request.url.path, "fields": await _carried_fields(request),
                           "needs_login": False}, status_code=503, noindex=True)
    else:
        response = render(request, "errors/error.html", {"status": 503, "message": message},
                          status_code=503, noindex=True)
    response.headers.update(headers)
    return response


def _route_name(request: Request) -> str:
    # The route's name, never its path: paths can carry pseudonyms and search words.
    return str(getattr(request.scope.get("route"), "name", None) or "unmatched")


async def server_error_handler(request: Request, exc: Exception) -> Response:
    # The traceback is logged; the request's address, path and content never are.
    log.exception("unhandled error on %s %s", request.method, _route_name(request))
    message = gettext("Something broke on our side. What you wrote is still there if you go back.")
    response: Response
    if _is_api(request):
        response = JSONResponse({"detail": message}, status_code=500)
    else:
        try:
            response = render(request, "errors/error.html", {"status": 500, "message": message}, status_code=500)
        except Exception:
            response = Response(message, status_code=500, media_type="text/plain; charset=utf-8")
    # This handler answers outside the middleware that adds them to every other response.
    apply_security_headers(response.headers, path=request.url.path,
                           has_session=SESSION_COOKIE in getattr(request.state, "cookies", {}),
                           hsts=getattr(request.state, "hsts", False))
    return response


async def database_busy_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatabaseBusy)
    # The route's name, never the path: paths can carry pseudonyms and search words (app/logs.py).
    route = getattr(request.scope.get("route"), "name", None) or "unrouted"
    log.warning("database busy on %s %s: answered 503", request.method, route)
    return await app_error_handler(request, ServiceBusy())


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(DatabaseBusy, database_busy_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    app.add_exception_handler(PoolTimeout, database_error_handler)  # no free pooled connection in time
    app.add_exception_handler(Exception, server_error_handler)
