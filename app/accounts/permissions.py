"""Who is asking: the viewer behind the session cookie, loaded once per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import User
from app.db import SessionDep
from app.errors import PermissionDenied, Unauthenticated
from app.settings import Settings, SettingsDep, request_settings
from app.web.errors import register_visitor_gate
from app.web.middleware import SESSION_COOKIE


def best_effort_write(session: Session, action: object) -> None:
    """Run a small bookkeeping write that must never fail a page view.

    On SQLite a GET runs in a deferred (read) transaction; upgrading it to a
    write can fail when another worker wrote meanwhile. Losing a "last seen"
    stamp is fine; a 500 is not.
    """
    try:
        with session.begin_nested():
            action()  # type: ignore[operator]
    except OperationalError:
        pass


def load_viewer(request: Request, session: Session, settings: Settings) -> User | None:
    if hasattr(request.state, "viewer"):
        return request.state.viewer  # type: ignore[no-any-return]
    viewer = None
    token = request.state.cookies.get(SESSION_COOKIE)
    if token:
        auth = service.get_session_by_token(session, token)
        if auth is not None:
            viewer = auth.user
            request.state.auth_session = auth
            if service.touch_due(settings, auth):
                best_effort_write(session, lambda: service.touch_session(session, settings, auth))
    request.state.viewer = viewer
    return viewer


#: What every HTML page needs right after its member is known (the header's bell count), registered by
#: domains that build on accounts; run in the viewer's worker-thread hop, for members only.
PAGE_HOOKS: list[Callable[[Request, Session, User], None]] = []


def _load_for_page(request: Request, session: Session, settings: Settings) -> User | None:
    viewer = load_viewer(request, session, settings)
    if viewer is not None:
        for hook in PAGE_HOOKS:
            hook(request, session, viewer)
    return viewer


async def _viewer(request: Request, session: Session, settings: Settings,
                  load: Callable[[Request, Session, Settings], User | None]) -> User | None:
    # async: a visitor (no session cookie) or a viewer already loaded costs no hand-over to the thread pool.
    if hasattr(request.state, "viewer"):
        return request.state.viewer  # type: ignore[no-any-return]
    if not request.state.cookies.get(SESSION_COOKIE):
        request.state.viewer = None
        return None
    return await run_in_threadpool(load, request, session, settings)


async def page_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The HTML pages' dependency (see app.web.routing.page_dependencies): the viewer, then PAGE_HOOKS."""
    return await _viewer(request, session, settings, _load_for_page)


async def optional_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    return await _viewer(request, session, settings, load_viewer)


async def require_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    viewer = await _viewer(request, session, settings, load_viewer)
    if viewer is None:
        raise Unauthenticated()
    return viewer


#: request.state key: how to tell, after the fact, whether a viewer not loaded yet would have been found.
VIEWER_CHECK = "viewer_check"


async def viewer_later(request: Request) -> Callable[[Session], User]:
    """`require_viewer` for an endpoint that opens its own session and hands its work to a worker thread (a reply
    through the API: see app.db.request_session).

    Returns a function that loads the viewer with the endpoint's session (or raises Unauthenticated) where it is
    called, so the session lookup joins the endpoint's hand-over instead of taking one of its own; itself needs
    no session, settings or thread. A visitor without a session cookie is refused at once, as before. The order
    of answers stays: a request whose session is gone and whose body is invalid is told 401, not 422 (the
    validation error handler runs the check kept in request.state first, see
    app.web.errors.validation_error_handler).
    """
    if hasattr(request.state, "viewer") or not request.state.cookies.get(SESSION_COOKIE):
        known = request.state.viewer if hasattr(request.state, "viewer") else None  # as require_viewer answers
        request.state.viewer = known
        if known is None:
            raise Unauthenticated()
        return lambda _session: known

    def load(session: Session) -> User:
        viewer = load_viewer(request, session, request_settings(request))
        if viewer is None:
            raise Unauthenticated()
        return viewer

    async def check() -> bool:
        # The request's own session is closed by the time a validation error is answered: a short read.
        def found() -> bool:
            with request.app.state.db.session(write=False) as lookup:
                return service.get_session_by_token(lookup, request.state.cookies[SESSION_COOKIE]) is not None
        return await run_in_threadpool(found)

    setattr(request.state, VIEWER_CHECK, check)
    return load


async def require_admin(viewer: Annotated[User, Depends(require_viewer)]) -> User:
    if not viewer.is_admin:
        raise PermissionDenied()
    return viewer


async def require_moderator(viewer: Annotated[User, Depends(require_viewer)]) -> User:
    if not viewer.is_moderator:
        raise PermissionDenied()
    return viewer


Viewer = Annotated[User | None, Depends(optional_viewer)]
CurrentUser = Annotated[User, Depends(require_viewer)]
#: The viewer, loaded when the endpoint calls it with its session (see viewer_later); 401 when their session is gone.
LaterViewer = Annotated[Callable[[Session], User], Depends(viewer_later)]
AdminUser = Annotated[User, Depends(require_admin)]
ModeratorUser = Annotated[User, Depends(require_moderator)]


async def viewer_found(request: Request) -> bool:
    """Whether this request's viewer is, or would be, found (for an answer given before any dependency ran)."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer is not None
    check = getattr(request.state, VIEWER_CHECK, None)
    if check is not None:
        return bool(await check())
    token = request.state.cookies.get(SESSION_COOKIE)
    if not token:
        return False

    def found() -> bool:
        with request.app.state.db.session(write=False) as lookup:
            return service.get_session_by_token(lookup, token) is not None
    return await run_in_threadpool(found)


# 401 before 422: the validation errors' handler asks these (app.web.errors.validation_error_handler).
register_visitor_gate({require_viewer, viewer_later}, viewer_found)
