"""Routers with the checks every route of a kind needs, so no route can forget them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.params import Depends as DependsParam
from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from app.errors import NotFound, ValidationFailed
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.web.csrf import verify_csrf, verify_origin


async def check_lang(request: Request) -> None:
    # async: no I/O, and a plain `def` dependency costs a hand-over to the thread pool on every page.
    if request.path_params.get("lang") not in LOCALES:
        raise NotFound()


def html_router() -> APIRouter:
    """HTML pages, mounted under /{lang} by `create_app` with `page_dependencies`."""
    return APIRouter(include_in_schema=False)


def page_dependencies(load_viewer: Callable[..., Any]) -> list[DependsParam]:
    """What every HTML page runs first: a known language, the viewer, then CSRF on every unsafe method.

    The viewer loader comes from accounts, which builds on this package; the
    application passes it in when it mounts the pages. The viewer comes before
    the CSRF check so that a refused form's page still shows the member as
    logged in (a page header offering "Log in" to a member with a valid
    session); what the loading writes is rolled back with the refused request.
    """
    return [Depends(check_lang), Depends(load_viewer), Depends(verify_csrf)]


def api_router() -> APIRouter:
    """JSON routes under /api/v1: the X-CSRF-Token header on every unsafe method."""
    return APIRouter(dependencies=[Depends(verify_csrf)])


def require_json(request: Request) -> None:
    """Pre-login JSON routes: a cross-site form cannot send application/json without CORS."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise ValidationFailed(N_("Send this request as JSON (Content-Type: application/json)."))
        verify_origin(request, null_is_foreign=True)  # no CSRF token before log-in: the origin is the guard


def preauth_api_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(require_json)])


API_PREFIX = "/api/v1"


def _path_prefix(route: BaseRoute) -> str:
    """The literal start of every path `route` can match: an included router's prefix, or the route's path."""
    context = getattr(route, "include_context", None)  # FastAPI's _IncludedRouter (routers are kept nested)
    if context is not None:
        return str(context.prefix)
    return str(getattr(route, "path", ""))


def _is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


class PrefixDispatch:
    """The application router's route loop, over only the routes a request's path can match.

    FastAPI tries the app's routes in order until one matches in full, and an included
    router tries each of its routes: a JSON request under /api/v1 walked every HTML page
    router under /{lang} first (about 74 routes, ~0.35 ms of the event loop per request).
    Here a path under /api/v1 is matched against the API's routers first, then the others
    in their order; any other path against every route but the API's, which cannot match
    it (their paths all start with /api/v1). No route outside the API matches a path under
    it (tests/web/test_route_dispatch.py), so the route chosen is the one the full loop
    chooses. The route table itself is untouched: OpenAPI, `url_for` and route listings
    see the routes as registered. The lists follow the router's: a route added later is
    served too.
    """

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._source: list[BaseRoute] | None = None
        self._count = -1
        # Copies of the router with its settings (slash redirects, default, form limits) and a
        # route list of their own; the router's own loop (`APIRouter.app`) runs over that list.
        self._api = copy.copy(router)
        self._rest = copy.copy(router)

    def _refresh(self) -> None:
        routes = self.router.routes
        api = [route for route in routes if _is_api(_path_prefix(route))]
        rest = [route for route in routes if not _is_api(_path_prefix(route))]
        self._api.routes = api + rest
        self._rest.routes = rest
        self._source, self._count = routes, len(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router.app(scope, receive, send)  # lifespan, websockets: as registered
            return
        routes = self.router.routes
        if routes is not self._source or len(routes) != self._count:
            self._refresh()
        scope.setdefault("router", self.router)  # url_for and friends see the whole app
        chosen = self._api if _is_api(get_route_path(scope)) else self._rest
        await chosen.app(scope, receive, send)


def dispatch_by_prefix(router: APIRouter) -> None:
    """Route the app's requests through PrefixDispatch (the router's entry point, inside every middleware)."""
    router.middleware_stack = PrefixDispatch(router)
