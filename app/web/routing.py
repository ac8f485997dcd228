"""Routers with the checks every route of a kind needs, so no route can forget them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.params import Depends as DependsParam

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
    """What every HTML page runs first: a known language, CSRF on every unsafe method, then the viewer.

    The viewer loader comes from accounts, which builds on this package; the
    application passes it in when it mounts the pages.
    """
    return [Depends(check_lang), Depends(verify_csrf), Depends(load_viewer)]


def api_router() -> APIRouter:
    """JSON routes under /api/v1: the X-CSRF-Token header on every unsafe method."""
    return APIRouter(dependencies=[Depends(verify_csrf)])


def require_json(request: Request) -> None:
    """Pre-login JSON routes: a cross-site form cannot send application/json without CORS."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise ValidationFailed(N_("Send this request as JSON (Content-Type: application/json)."))
        verify_origin(request)


def preauth_api_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(require_json)])
