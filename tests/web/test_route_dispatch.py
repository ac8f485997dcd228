"""Requests under /api/v1 skip the page routes (app/web/routing.PrefixDispatch), and every request still
reaches the route the app's full route loop chooses."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from app.web.routing import PrefixDispatch
from tests.security.routes import iter_routes


def _sample(path: str) -> str:
    """A concrete path a route pattern matches: every parameter filled in ("fr" for the language)."""
    path = path.replace("{lang}", "fr")
    return re.sub(r"\{[^}:]+(:[^}]+)?\}", lambda m: "a/b" if m.group(1) == ":path" else "1", path)


def _scope(app: FastAPI, method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
            "query_string": b"", "app": app}


def _chosen(app: FastAPI, routes: list[BaseRoute], method: str, path: str) -> tuple[BaseRoute, Match] | None:
    """The route Starlette's loop hands the request to: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(_scope(app, method, path))
        if match == Match.FULL:
            return route, match
        if match == Match.PARTIAL and partial is None:
            partial = (route, match)
    return partial


def _dispatch(app: FastAPI) -> PrefixDispatch:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    dispatch._refresh()
    return dispatch


def test_the_dispatch_chooses_the_route_the_full_loop_chooses(app: FastAPI) -> None:
    dispatch = _dispatch(app)
    samples = {(method, _sample(route.path)) for route in iter_routes(app) for method in route.methods}
    samples |= {("GET", p) for p in ("/", "/robots.txt", "/static/css/site.css", "/livez", "/api/v1",
                                     "/api/v1/", "/api/v1/no-such-thing", "/fr/no-such-page", "/apix")}
    assert len([s for s in samples if s[1].startswith("/api/v1/")]) > 50
    for method, path in sorted(samples):
        for other in ("GET", "POST", "DELETE"):  # a method the route lacks: the same 405 (a partial match)
            listed = dispatch._api.routes if path == "/api/v1" or path.startswith("/api/v1/") else dispatch._rest.routes
            assert _chosen(app, listed, method, path) == _chosen(app, app.router.routes, method, path), (method, path)
            assert _chosen(app, listed, other, path) == _chosen(app, app.router.routes, other, path), (other, path)


def test_no_page_route_matches_an_api_path(app: FastAPI) -> None:
    """What makes trying the API's routes first safe: outside the API, no route matches a path under it."""
    dispatch = _dispatch(app)
    outside = dispatch._rest.routes
    for route in iter_routes(app):
        if not route.path.startswith("/api/v1"):
            continue
        for method in ("GET", "POST"):
            assert _chosen(app, outside, method, _sample(route.path)) is None, route.path


def test_the_route_table_is_as_registered(app: FastAPI) -> None:
    """OpenAPI, url_for and route listings see every route, in the order they were added."""
    _dispatch(app)
    paths = {route.path for route in iter_routes(app)}
    assert "/api/v1/threads/{thread_id}/posts" in paths and "/{lang}/t/{thread_id}" in paths
    schema = app.openapi()
    assert "/api/v1/threads/{thread_id}/posts" in schema["paths"]
    assert not any(p.startswith("/{lang}") for p in schema["paths"])


def test_requests_are_served_and_routes_added_later_too(app: FastAPI, client: TestClient) -> None:
    assert client.get("/api/v1/categories").status_code == 200
    assert client.get("/fr/").status_code == 200
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/json")
    assert client.get("/api/v1/categories", follow_redirects=False).status_code == 200

    @app.get("/api/v1/added-later", include_in_schema=False)
    def added(request: Request) -> dict[str, str]:  # url_for sees the whole app from an API request
        return {"page": str(request.url_for("root"))}

    response = client.get("/api/v1/added-later")
    assert response.status_code == 200 and response.json()["page"].endswith("/")
