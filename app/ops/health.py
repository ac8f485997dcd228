"""/livez (the process answers), /healthz (the app and its database answer — the DESIGN contract),
/readyz (database and search engine, with the failing check named), /metrics."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import Database
from app.ops.metrics import metrics_endpoint
from app.settings import Settings

log = logging.getLogger("forum.health")
router = APIRouter(include_in_schema=False)


def check_database(db: Database) -> str:
    try:
        with db.session(write=False) as session:
            session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # whatever the driver says, the answer is "not ready"
        log.warning("readiness: database not answering (%s)", type(exc).__name__)
        return "down"


def check_search(settings: Settings, backend: Any) -> str | None:
    """None when the database is the search engine (nothing more to check)."""
    if settings.search.backend != "meilisearch":
        return None
    from app.search.backend import SearchUnavailable

    try:
        backend.ping()
        return "ok"
    except SearchUnavailable as exc:
        log.warning("readiness: search engine not answering (%s)", exc)
        return "down"


def readiness(settings: Settings, db: Database, backend: Any) -> dict[str, str]:
    checks = {"database": check_database(db)}
    if db.replica is not None:
        checks["database_replica"] = check_database(db.replica)
    search = check_search(settings, backend)
    if search is not None:
        checks["search"] = search
    return checks


@router.get("/livez", name="ops.livez")
def livez() -> JSONResponse:
    """Liveness: the process answers. Deliberately no database call, so a database outage
    does not make a supervisor restart healthy app processes."""
    return JSONResponse({"status": "ok"})


@router.get("/healthz", name="ops.healthz")
def healthz(request: Request) -> JSONResponse:
    """The contract other tools rely on: 200 when the app and its database answer, else 503."""
    database = check_database(request.app.state.db)
    return JSONResponse({"status": "ok" if database == "ok" else "unavailable"},
                        status_code=200 if database == "ok" else 503)


# Reported but not required: without its replica the app reads from the primary.
OPTIONAL_CHECKS = frozenset({"database_replica"})


def is_ready(checks: dict[str, str]) -> bool:
    return all(value == "ok" for name, value in checks.items() if name not in OPTIONAL_CHECKS)


@router.get("/readyz", name="ops.readyz")
def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks = readiness(state.settings, state.db, state.search)
    ready = is_ready(checks)
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)


router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], name="ops.metrics")
