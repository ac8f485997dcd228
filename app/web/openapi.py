"""The published OpenAPI document says every answer the API can give, errors included.

FastAPI documents its own 422 shape (HTTPValidationError), not ours, and none of
the errors services raise. Each operation gets our 422 body and the error
statuses any route may answer (issue 9, item 13): schemathesis checks that every
response matches (tests/security/test_api_schema.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every API error: a message in the request's language, and the field it is about."""

    model_config = ConfigDict(extra="allow")
    detail: str = Field(description="What went wrong, in the request's language")
    field: str | None = Field(default=None, description="The field the error is about, if any")


class FieldProblem(BaseModel):
    field: str
    type: str
    message: str


class ValidationProblem(BaseModel):
    """422: what is wrong with the request, field by field."""

    detail: str
    field: str
    errors: list[FieldProblem]


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer"}}}
ERROR_STATUSES: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("Bad request", {}),
    "401": ("Not logged in", {}),
    "403": ("Not allowed, or the CSRF token / origin check failed", {}),
    "404": ("Not found, or not visible to you", {}),
    "409": ("Conflict with the current state", {}),
    "413": ("Request too large", {}),
    "429": ("Too many requests: wait as Retry-After says", _RETRY_AFTER),
    "503": ("Busy: the write could not be taken in time; try again after Retry-After", _RETRY_AFTER),
}


def _ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, FieldProblem, ValidationProblem):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components[model.__name__].pop("$defs", None)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses["422"] = {"description": "Invalid input", "content": _ref("ValidationProblem")}
            for status, (description, headers) in ERROR_STATUSES.items():
                entry = responses.setdefault(status, {"description": description})
                entry["content"] = _ref("ErrorBody")
                if headers:
                    entry["headers"] = headers
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(default())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
