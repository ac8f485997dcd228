"""Account pages: sign up, log in and out, recovery, preferences, sessions, remembered browsers."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import devices, reveal, service, signup_guard
from app.accounts.cookies import clear_session_cookie, set_session_cookie
from app.accounts.permissions import CurrentUser
from app.content_notes import CONTENT_NOTE_LABELS
from app.db import SessionDep
from app.errors import AppError, Conflict, Problems, ValidationFailed, each_error
from app.i18n import gettext
from app.i18n_markers import N_
from app.security import csrf_token_for
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.downloads import attachment
from app.web.errors import resubmit_page
from app.web.forms import FormStr, rerender
from app.web.middleware import SESSION_COOKIE
from app.web.params import Id
from app.web.routing import html_router
from app.web.templating import redirect, render, url_for

router = html_router()


def _safe_next(target: str | None, lang: str) -> str:
    """Only local paths, so a crafted link cannot send a member elsewhere after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"/{lang}/"


def _signup_context(request: Request, pseudonym: str = "", *, passwords: tuple[str, str] | None = None,
                    shown: str | None = None) -> dict[str, Any]:
    form = {"pseudonym": pseudonym}
    if passwords is not None:
        form.update(password=passwords[0], password_confirm=passwords[1])
    return {"form": form, "shown": shown or signup_guard.stamp(request.app.state.secret),
            "honeypot": signup_guard.HONEYPOT}


def _keeps_passwords(exc: AppError) -> bool:
    """Whether a refused sign-up gives the member's password back in the form.

    Only when the refusal is not about the password and not a script's: the time
    check (a person who typed fast), or a pseudonym that is taken or not allowed.
    The password comes back only to the browser that sent it in this very
    request, in a page that is never stored (sign-up is a private page:
    Cache-Control no-store) and never logged; typing a long passphrase twice
    again is what makes people pick short ones. A filled honeypot, a missing or
    forged stamp, a sign-up limit and any password rule never refill it.
    """
    if isinstance(exc, signup_guard.TooFast):
        return True
    if isinstance(exc, signup_guard.TrapFilled | signup_guard.Unchecked):
        return False
    return all(isinstance(problem, ValidationFailed | Conflict) and problem.field in (None, "pseudonym")
               for problem in each_error(exc))


@router.get("/account/signup", name="accounts.signup")
def signup_form(request: Request) -> Response:
    return render(request, "accounts/signup.html", {**_signup_context(request), "errors": {}})


@router.post("/account/signup", name="accounts.signup_post")
def signup(request: Request, session: SessionDep, settings: SettingsDep, lang: str, pseudonym: FormStr = "",
           password: FormStr = "", password_confirm: FormStr = "", form_shown: FormStr = "",
           website: FormStr = "") -> Response:
    try:
        # Honeypot and time check before anything is counted or hashed (app/accounts/signup_guard.py).
        signup_guard.check(request.app.state.secret, honeypot=website, shown=form_shown,
                           min_seconds=settings.throttle.signup_min_seconds)
        problems = Problems()  # reported with the pseudonym's and password's own problems, all at once
        if password != password_confirm:
            problems.errors.append(ValidationFailed(N_("The two passwords are not the same."),
                                                    field="password_confirm"))
        signup_guard.spend(session, request.app.state.secret, shown=form_shown,
                           min_seconds=settings.throttle.signup_min_seconds)
        try:
            result = service.sign_up(session, settings, pseudonym=pseudonym, password=password, locale=lang,
                                     client_key=throttle_key(request, "signup"), problems=problems)
        except AppError:  # the page is shown again and its changes kept (the sign-up limit's count): not the stamp
            signup_guard.give_back(session, request.app.state.secret, shown=form_shown,
                                   min_seconds=settings.throttle.signup_min_seconds)
            raise
    except AppError as exc:
        context = _signup_context(
            request, pseudonym, passwords=(password, password_confirm) if _keeps_passwords(exc) else None,
            shown=exc.shown if isinstance(exc, signup_guard.TooFast) else None)
        return rerender(request, "accounts/signup.html", context, exc, field="pseudonym")
    token = service.open_session(session, settings, user=result.user,
                                 device=service.device_family(request.headers.get("user-agent")))
    # Post/redirect/get: a reload shows the codes again instead of re-posting the sign-up.
    response = redirect(request, "accounts.recovery_codes", lang=result.user.locale or lang)
    set_session_cookie(request, response, token, settings)
    reveal.keep(request, session, "codes", {"codes": result.recovery_codes, "new": True}, session_token=token)
    return response


@router.get("/account/login", name="accounts.login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "accounts/login.html", {"form": {}, "next": next or "", "errors": {}})


def _carried(carry: str) -> list[tuple[str, str]]:
    """The fields of a form that was refused for want of a session (errors/resubmit.html)."""
    try:
        fields = json.loads(carry) if carry else []
    except ValueError:
        return []
    if not isinstance(fields, list):
        return []
    return [(str(f[0]), str(f[1])) for f in fields if isinstance(f, list) and len(f) == 2]


@router.post("/account/login", name="accounts.login_post")
def login(request: Request, session: SessionDep, settings: SettingsDep, lang: str, pseudonym: FormStr = "",
          password: FormStr = "", next: FormStr = "", carry: FormStr = "", carry_action: FormStr = "") -> Response:
    try:
        result = service.authenticate(
            session, settings, pseudonym=pseudonym, password=password, client_key=throttle_key(request, "login"),
            device=service.device_family(request.headers.get("user-agent")),
            replaces=request.state.cookies.get(SESSION_COOKIE),
            device_cookie=request.state.cookies.get(devices.COOKIE),
        )
    except AppError as exc:
        return rerender(request, "accounts/login.html", {"form": {"pseudonym": pseudonym}, "next": next}, exc,
                        field="login")
    fields = _carried(carry)
    response: Response
    if result.erasure_cancelled:
        # Logging in cancelled the account's erasure: say so on the settings page.
        target = url_for(request, "accounts.settings", lang=result.user.locale or lang, _query={"kept": 1})
        response = RedirectResponse(target, status_code=303)
    elif fields and carry_action == _safe_next(carry_action, lang):
        # Logged in again from a refused form: give the text back, ready to send with the new session.
        request.state.viewer = result.user
        response = resubmit_page(
            request, reason=gettext("You are logged in again. Your text is below: send it when you are ready."),
            action=carry_action, fields=fields, needs_login=False,
            csrf_token=csrf_token_for(request.app.state.secret, result.token),
        )
    else:
        response = RedirectResponse(_safe_next(next, result.user.locale or lang), status_code=303)
    set_session_cookie(request, response, result.token, settings)
    devices.set_cookie(request, response, result.device_cookie, settings)
    return response


@router.post("/account/logout", name="accounts.logout")
def logout(request: Request, session: SessionDep, lang: str) -> Response:
    token = request.state.cookies.get(SESSION_COOKIE)
    if token:
        service.close_session(session, token)
    response = RedirectResponse(url_for(request, "forum.index", lang=lang, _query={"notice": "logged_out"}),
                                status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/account/recover", name="accounts.recover")
def recover_form(request: Request) -> Response:
    return render(request, "accounts/recover.html", {"form": {}, "errors": {}})


@router.post("/account/recover", name="accounts.recover_post")
def recover(request: Request, session: SessionDep, settings: SettingsDep, pseudonym: FormStr = "",
            code: FormStr = "", new_password: FormStr = "") -> Response:
    try:
        service.recover(session, settings, pseudonym=pseudonym, code=code, new_password=new_password,
                        client_key=throttle_key(request, "recover"))
    except AppError as exc:
        return rerender(request, "accounts/recover.html", {"form": {"pseudonym": pseudonym}}, exc, field="code")
    return redirect(request, "accounts.login", _query={"recovered": 1})


def _settings_context(request: Request, session: SessionDep, viewer: CurrentUser) -> dict[str, Any]:
    return {
        "sessions": service.list_sessions(session, user=viewer),
        "current_session_id": getattr(getattr(request.state, "auth_session", None), "id", None),
        "remaining_codes": service.remaining_recovery_codes(session, user=viewer),
        "note_labels": CONTENT_NOTE_LABELS,
        "errors": {},
    }


@router.get("/account", name="accounts.settings")
def settings_page(request: Request, session: SessionDep, viewer: CurrentUser,
                  saved: str | None = None, kept: str | None = None) -> Response:
    notice = gettext("Your changes are saved.") if saved else None
    if kept:
        notice = gettext("Welcome back: your account is no longer going to be deleted.")
    return render(request, "accounts/settings.html", {**_settings_context(request, session, viewer), "notice": notice},
                  noindex=True)


@router.post("/account/preferences", name="accounts.preferences")
def preferences(request: Request, session: SessionDep, viewer: CurrentUser,
                locale: FormStr = "", read_langs: Annotated[list[str] | None, Form()] = None,
                expand_notes: Annotated[list[str] | None, Form()] = None) -> Response:
    try:
        service.update_preferences(session, user=viewer, locale=locale, read_langs=read_langs or [],
                                   expand_notes=expand_notes or [])
    except AppError as exc:
        return rerender(request, "accounts/settings.html", _settings_context(request, session, viewer), exc,
                        field="read_langs", noindex=True)
    return redirect(request, "accounts.settings", lang=viewer.locale, _query={"saved": 1})


@router.post("/account/password", name="accounts.password")
def change_password(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                    current_password: FormStr = "", new_password: FormStr = "") -> Response:
    try:
        service.change_password(session, settings, user=viewer, current=current_password, new=new_password,
                                keep_token=request.state.cookies.get(SESSION_COOKIE),
                                client_key=throttle_key(request, "login"))
    except AppError as exc:
        return rerender(request, "accounts/settings.html", _settings_context(request, session, viewer), exc,
                        field="new_password", noindex=True)
    return redirect(request, "accounts.settings", _query={"saved": 1})


@router.post("/account/recovery-codes", name="accounts.new_codes")
def new_recovery_codes(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                       codes_password: FormStr = "") -> Response:
    # New codes replace the old ones: whoever holds a logged-in browser alone must not get them.
    try:
        service.confirm_password(session, settings, user=viewer, password=codes_password, field="codes_password",
                                 client_key=throttle_key(request, "login"))
    except AppError as exc:
        return rerender(request, "accounts/settings.html", _settings_context(request, session, viewer), exc,
                        field="codes_password", noindex=True)
    codes = service.issue_recovery_codes(session, settings, viewer)
    response = redirect(request, "accounts.recovery_codes")
    reveal.keep(request, session, "codes", {"codes": codes, "new": False})
    return response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account/recovery-codes", name="accounts.recovery_codes")
def recovery_codes(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    """The codes just made, shown once (with a short grace for a reload, a print, a language switch)."""
    kept = reveal.read(request, session, "codes") or {}
    return _no_store(render(request, "accounts/recovery_codes.html", {
        "codes": kept.get("codes", []), "new_account": bool(kept.get("new")),
    }, noindex=True))


@router.get("/account/recovery-codes.txt", name="accounts.recovery_codes_file")
def recovery_codes_file(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser) -> Response:
    kept = reveal.read(request, session, "codes") or {}
    if not kept.get("codes"):
        return redirect(request, "accounts.recovery_codes")
    lines = [settings.site_name, gettext("Recovery codes for %(name)s", name=viewer.pseudonym),
             gettext("Each code works once, to choose a new password if you forget yours."), "",
             *kept["codes"], ""]
    return _no_store(attachment("\n".join(lines), "text/plain; charset=utf-8", "trefle-klaver-recovery-codes.txt"))


@router.post("/account/recovery-codes/kept", name="accounts.codes_kept")
def codes_kept(request: Request, session: SessionDep, viewer: CurrentUser, next: FormStr = "") -> Response:
    reveal.forget(request, session, "codes")
    return redirect(request, "onboarding.start" if next == "tour" else "forum.index")


@router.post("/account/sessions/{session_id}/close", name="accounts.close_session")
def close_session(request: Request, session: SessionDep, viewer: CurrentUser, session_id: Id) -> Response:
    service.close_session_by_id(session, user=viewer, session_id=session_id)
    return redirect(request, "accounts.settings")


@router.post("/account/sessions/close-others", name="accounts.close_others")
def close_others(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    service.close_other_sessions(session, user=viewer, keep_token=request.state.cookies.get(SESSION_COOKIE))
    return redirect(request, "accounts.settings", _query={"saved": 1})


@router.post("/account/sessions/close-all", name="accounts.close_all")
def close_all(request: Request, session: SessionDep, viewer: CurrentUser, lang: str) -> Response:
    service.close_other_sessions(session, user=viewer, keep_token=None)
    response = RedirectResponse(url_for(request, "forum.index", lang=lang, _query={"notice": "logged_out"}),
                                status_code=303)
    clear_session_cookie(response)
    return response



@router.get("/account/devices", name="accounts.devices")
def devices_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                 forgotten: str | None = None) -> Response:
    """The browsers that hold a device cookie for the member (app/accounts/devices.py), to forget any of them."""
    return render(request, "accounts/devices.html", {
        "devices": devices.list_devices(session, user=viewer),
        "current_device_id": devices.current_device_id(session, settings, user=viewer,
                                                       value=request.state.cookies.get(devices.COOKIE)),
        "notice": {"1": gettext("Forgotten."), "already": gettext("This browser was already forgotten.")}.get(
            forgotten or ""),
    }, noindex=True)


@router.post("/account/devices/{device_id}/forget", name="accounts.forget_device")
def forget_device(request: Request, session: SessionDep, viewer: CurrentUser, device_id: Id) -> Response:
    # A second click (or a second tab) finds it forgotten already: that is what the member wanted.
    forgotten = devices.forget(session, user=viewer, device_id=device_id)
    return redirect(request, "accounts.devices", _query={"forgotten": 1 if forgotten else "already"})


@router.post("/account/devices/forget-all", name="accounts.forget_devices")
def forget_devices(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    devices.forget_all(session, user=viewer)
    return redirect(request, "accounts.devices", _query={"forgotten": 1})
