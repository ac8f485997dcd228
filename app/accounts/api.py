"""JSON routes for accounts (contract: POST /accounts, POST and DELETE /session).

Sign-up has the HTML form's abuse checks (app/accounts/signup_guard.py): a
honeypot field, and a time check through a signed token from
GET /accounts/form-token; then the per-client sign-up limit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.accounts import devices, schemas, service, signup_guard
from app.accounts.cookies import clear_session_cookie, set_session_cookie
from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.i18n import gettext
from app.i18n_markers import N_
from app.security import csrf_token_for
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.middleware import SESSION_COOKIE
from app.web.routing import api_router, preauth_api_router

preauth = preauth_api_router()
authed = api_router()


API_TOO_FAST = N_("Ask for a sign-up token first (GET /api/v1/accounts/form-token) and send it as form_token, at "
                  "least %(seconds)s seconds later.")
API_TOO_OLD = N_("This sign-up token is more than a day old: ask for a new one (GET /api/v1/accounts/form-token).")
# The HTML log-in shows the same words (accounts.views.settings_page).
ERASURE_CANCELLED = N_("Welcome back: your account is no longer going to be deleted.")
API_USED = N_("This sign-up token was already used for an account: ask for a new one "
              "(GET /api/v1/accounts/form-token).")
API_TRAP_FILLED = N_("Leave the field \"website\" empty: it is there to catch automated sign-ups.")


@preauth.get("/accounts/form-token", response_model=schemas.SignupForm, name="api.accounts.form_token")
def signup_form(request: Request, settings: SettingsDep) -> schemas.SignupForm:
    """The API's sign-up form: what the HTML form carries unseen (when it was shown, the honeypot's name)."""
    return schemas.SignupForm(form_token=signup_guard.stamp(request.app.state.secret),
                              send_after_seconds=max(settings.throttle.signup_min_seconds, 0),
                              expires_in_seconds=signup_guard.MAX_AGE_SECONDS, honeypot=signup_guard.HONEYPOT)


@preauth.post("/accounts", status_code=201, response_model=schemas.AccountCreated, name="api.accounts.create",
              description="Needs `form_token` from `GET /api/v1/accounts/form-token` while the sign-up time check "
                          "is on, and the honeypot `website` empty: otherwise 422, with `field` saying which.",
              responses={409: {"description": "Pseudonym taken"},
                         429: {"description": "Too many sign-ups from this client; see Retry-After"}})
def create_account(body: schemas.AccountCreate, request: Request, session: SessionDep,
                   settings: SettingsDep) -> schemas.AccountCreated:
    # Before anything is counted or hashed, as on the form (app/accounts/views.py).
    signup_guard.check(request.app.state.secret, honeypot=body.website, shown=body.form_token or "",
                       min_seconds=settings.throttle.signup_min_seconds, trap_field="website",
                       stamp_field="form_token",
                       messages={"fast": API_TOO_FAST, "unchecked": API_TOO_FAST, "old": API_TOO_OLD,
                                 "trap": API_TRAP_FILLED})
    # A refused sign-up rolls the spent token back with everything else (the API's error handler).
    signup_guard.spend(session, request.app.state.secret, shown=body.form_token or "",
                       min_seconds=settings.throttle.signup_min_seconds, says=API_USED, field="form_token")
    result = service.sign_up(session, settings, pseudonym=body.pseudonym, password=body.password,
                             locale=body.locale, client_key=throttle_key(request, "signup"))
    session.flush()
    return schemas.AccountCreated(id=result.user.id, pseudonym=result.user.pseudonym,
                                  recovery_codes=result.recovery_codes)


@preauth.post("/session", response_model=schemas.SessionCreated, name="api.session.create",
              responses={401: {"description": "Wrong pseudonym or password"}, 429: {"description": "Throttled"}})
def create_session(body: schemas.SessionCreate, request: Request, session: SessionDep,
                   settings: SettingsDep) -> Response:
    result = service.authenticate(
        session, settings, pseudonym=body.pseudonym, password=body.password, client_key=throttle_key(request, "login"),
        device=service.device_family(request.headers.get("user-agent")),
        replaces=request.state.cookies.get(SESSION_COOKIE),
        device_cookie=request.state.cookies.get(devices.COOKIE),
    )
    payload = schemas.SessionCreated(
        csrf_token=csrf_token_for(request.app.state.secret, result.token),
        pseudonym=result.user.pseudonym, locale=result.user.locale, erasure_cancelled=result.erasure_cancelled,
        message=gettext(ERASURE_CANCELLED) if result.erasure_cancelled else "",
    )
    response = JSONResponse(payload.model_dump())
    set_session_cookie(request, response, result.token, settings)
    devices.set_cookie(request, response, result.device_cookie, settings)
    return response


@authed.delete("/session", status_code=204, name="api.session.delete")
def delete_session(request: Request, session: SessionDep) -> Response:
    token = request.state.cookies.get(SESSION_COOKIE)
    if token:
        service.close_session(session, token)
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@authed.get("/me", response_model=schemas.Me, name="api.me")
def me(viewer: CurrentUser) -> schemas.Me:
    return schemas.Me(id=viewer.id, pseudonym=viewer.pseudonym, role=viewer.role, locale=viewer.locale,
                      read_langs=viewer.read_lang_list)


router = APIRouter()
router.include_router(preauth)
router.include_router(authed)
