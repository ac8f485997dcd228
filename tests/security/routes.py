"""The application's route table, flattened: every (method, path, name), however routers are nested.

FastAPI includes routers lazily (`_IncludedRouter`); its `effective_candidates()`
gives each included route with its prefix applied, as the app serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, _iter_routes_with_context


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


# ---------------------------------------------------------------- with parameters (the edge suite)
@dataclass(frozen=True)
class RouteParams:
    path: str
    methods: frozenset[str]
    name: str
    query_params: tuple[str, ...]
    in_schema: bool


def _query_params(dependant: Dependant | None) -> set[str]:
    if dependant is None:
        return set()
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_params(sub)
    return names


def iter_routes(app: FastAPI) -> Iterator[RouteParams]:
    """Every HTTP route with the query parameters its dependencies declare."""
    for route, context in _iter_routes_with_context(app.router.routes):
        if context is not None:
            if not context.methods:
                continue
            yield RouteParams(context.path, frozenset(context.methods), context.name,
                              tuple(sorted(_query_params(context.dependant))), context.include_in_schema)
        elif isinstance(route, APIRoute):
            yield RouteParams(route.path, frozenset(route.methods), route.name,
                              tuple(sorted(_query_params(route.dependant))), route.include_in_schema)
