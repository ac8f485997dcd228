"""The application's route table, flattened: every (method, path, name), however routers are nested.

FastAPI includes routers lazily (`_IncludedRouter`); its `effective_candidates()`
gives each included route with its prefix applied, as the app serves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    name: str


def _walk(routes: list[Any]) -> list[RouteInfo]:
    found: list[RouteInfo] = []
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            found.extend(_walk(candidates()))
            continue
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path is None or not methods:
            continue  # mounts (static files), websockets
        found.append(RouteInfo(path=path, methods=frozenset(methods) - {"HEAD"}, name=getattr(route, "name", "")))
    return found


def route_table(app: FastAPI) -> list[RouteInfo]:
    return sorted(_walk(list(app.router.routes)), key=lambda r: (r.path, sorted(r.methods)))
