"""The application's expected failures. Messages are msgids, translated when shown."""

from __future__ import annotations

from app.i18n import gettext
from app.i18n_markers import N_


class AppError(Exception):
    status_code = 400
    default_message = N_("Something went wrong with this request.")

    def __init__(self, message: str | None = None, status_code: int | None = None, **params: object):
        self.message = message or self.default_message
        self.params = params
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)

    def translated(self) -> str:
        return gettext(self.message, **self.params)


class NotFound(AppError):
    status_code = 404
    default_message = N_("This page does not exist, or you cannot see it.")


class PermissionDenied(AppError):
    status_code = 403
    default_message = N_("You are not allowed to do this.")


class Unauthenticated(AppError):
    status_code = 401
    default_message = N_("Please log in first.")


class Conflict(AppError):
    status_code = 409


class RateLimited(AppError):
    status_code = 429
    default_message = N_("Too many attempts. Please wait a few minutes and try again.")


class ValidationFailed(AppError):
    """Bad input; `field` names the form field so the form can show it in place."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None, **params: object):
        super().__init__(message)
        self.params = params
        self.field = field


class CsrfFailed(AppError):
    status_code = 403
    default_message = N_(
        "Your form had expired or came from another site. Nothing was lost: "
        "check your text and send it again."
    )
