"""Structured logs: one JSON object per line, with the request id, and nothing about the person.

What a log line may hold: route name, method, status, duration, request id, and
the application's own messages. What it never holds: an address, a pseudonym,
a path (paths can carry pseudonyms and search words), a query string, post text.
uvicorn's access log stays off for that reason; this module's request line
replaces it (see app/ops/middleware.py).
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar
from typing import Any

from app.settings import Settings

# The current request's id, so every line logged while serving it can be joined up.
request_id: ContextVar[str] = ContextVar("request_id", default="")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """A dictConfig for the app, `forum worker` and uvicorn's own loggers (also passed as uvicorn's log_config)."""
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters,
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": settings.log_format,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            # uvicorn's loggers hand their records to the root handler (one format for all).
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Off: uvicorn's access line carries the client's address and the full path.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
