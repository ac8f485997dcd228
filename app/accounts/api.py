"""JSON routes for accounts (contract: POST /accounts, POST and DELETE /session)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.accounts import schemas, service
from app.accounts.cookies import clear_session_cookie, set_session_cookie
from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.security import csrf_token_for
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.middleware import SESSION_COOKIE
from app.web.routing import api_router, preauth_api_router

preauth = preauth_api_router()
authed = api_router()


@preauth.post("/accounts", status_code=201, response_model=schemas.AccountCreated, name="api.accounts.create",
              responses={409: {"description": "Pseudonym taken"}, 422: {"description": "Invalid input"}})
def create_account(body: schemas.AccountCreate, request: Request, session: SessionDep,
                   settings: SettingsDep) -> schemas.AccountCreated:
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
    )
    payload = schemas.SessionCreated(
        csrf_token=csrf_token_for(request.app.state.secret, result.token),
        pseudonym=result.user.pseudonym, locale=result.user.locale,
    )
    response = JSONResponse(payload.model_dump())
    set_session_cookie(request, response, result.token, settings)
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
