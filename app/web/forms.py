"""HTML forms: reading fields, and showing a form again after a failure with nothing lost.

Every form page follows one pattern: the route calls a service; on an
`AppError` it calls `rerender`, which shows the same template with the member's
text (the page's `form` context) and the error next to its field, under the
error's own status code. Nothing the member typed is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse

from app.errors import AppError, each_error
from app.web.templating import render

FormStr = Annotated[str, Form()]


async def _form_fields(request: Request) -> dict[str, str]:
    # The CSRF check has already read the form; Starlette caches it on the request.
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def field_errors(error: AppError, field: str) -> dict[str, str]:
    """The error as the templates' `errors` mapping: each problem under its own field, else `field`
    (a ValidationErrors holds several; the first problem of a field is the one shown)."""
    errors: dict[str, str] = {}
    for problem in each_error(error):
        errors.setdefault(problem.field or field, problem.translated())
    return errors


def rerender(request: Request, template: str, context: dict[str, Any], error: AppError, *, field: str,
             noindex: bool = False) -> HTMLResponse:
    """The form page again, with `context` (which holds what the member typed) and the error in place."""
    response = render(request, template, {**context, "errors": field_errors(error, field)},
                      status_code=error.status_code, noindex=noindex)
    response.headers.update(error.headers)
    return response
