"""The application's expected failures: each carries its HTTP status and a translatable message.

Services raise them; one handler (app/web/errors.py) turns them into a page or JSON
in the request's language, and forms re-render with the member's text intact
(app/web/forms.py). Messages are msgids, translated when shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from app.i18n import gettext
from app.i18n_markers import N_

T = TypeVar("T")


class AppError(Exception):
    status_code = 400
    default_message = N_("Something went wrong with this request.")
    #: Commit what the request wrote before failing, instead of rolling it back: a
    #: failed log-in must still be counted by the throttle.
    keep_changes = False

    def __init__(self, message: str | None = None, status_code: int | None = None, *, field: str | None = None,
                 headers: dict[str, str] | None = None, **params: object):
        self.message = message or self.default_message
        self.params = params
        #: The form field the error belongs to, so a form can show it in place.
        self.field = field
        self.headers = headers or {}
        #: More fields for the JSON body (e.g. "did you mean" suggestions), beside "detail" and "field".
        self.extra: dict[str, object] = {}
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
    keep_changes = True

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, field: str | None = None,
                 **params: object):
        super().__init__(message, None, field=field,
                         headers={"Retry-After": str(retry_after)} if retry_after is not None else None, **params)


class ServiceBusy(AppError):
    """What the member is told when the database could not take a write in time (see DatabaseBusy)."""

    status_code = 503
    default_message = N_("The forum is very busy right now and could not save this. Nothing was lost: "
                         "wait a few seconds and send it again.")
    RETRY_AFTER = 5

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": str(self.RETRY_AFTER)})


class DatabaseBusy(Exception):
    """The database could not take this write in time, even after waiting and retrying.

    Not an AppError on purpose: a form that catches AppError to show itself again
    would render with a session that can no longer load anything. It travels up
    to its own handler, which answers 503 with Retry-After and offers the form's
    text again (ServiceBusy): never a 500.
    """


class FormUnreadable(AppError):
    """A form body that arrived cut short or damaged (app/web/form_body.py): nothing in it was used."""

    status_code = 400
    default_message = N_("Your form arrived incomplete or damaged, so it could not be read and nothing was "
                         "done with it. Nothing you had already saved is lost. Go back: your browser usually "
                         "still holds your text, and you can send it again.")


class PayloadTooLarge(AppError):
    """A request body over the size any form or API call needs (settings.max_request_bytes): never read."""

    status_code = 413
    default_message = N_("What you sent is too large (at most %(max)s kB), so it was not read and nothing was "
                         "done with it.")


class FieldTooLong(AppError):
    """One form field far longer than any field takes (app/web/csrf.py): refused before any route reads it.

    Said without quoting the field, and never shown again in a form: a page that
    echoed a megabyte back would be a megabyte.
    """

    status_code = 413
    default_message = N_("A field of this form is far longer than any field takes (at most %(max)s "
                         "characters), so nothing was done with it. Go back: your browser usually still holds "
                         "your text; shorten it and send it again.")


class ValidationFailed(AppError):
    """Bad input; `field` names the form field so the form can show it in place."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None, **params: object):
        super().__init__(message, field=field)
        self.params = params


class ValidationErrors(ValidationFailed):
    """Several fields' problems found at once: a form shows each in place, the API lists them all.

    Its own message and field are the first problem's (what a caller reading one error sees).
    """

    def __init__(self, errors: Sequence[ValidationFailed]):
        first = errors[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.errors = list(errors)
        # A counted attempt among them (WrongPassword) is kept even though the request fails.
        self.keep_changes = any(error.keep_changes for error in errors)


class Problems:
    """Collects each field's ValidationFailed, so that a form reports all of them at once.

        problems = Problems()
        title = problems.check(_clean_title, title)
        body = problems.check(_clean_body, body)
        problems.raise_any()  # nothing raised before this
    """

    def __init__(self) -> None:
        self.errors: list[ValidationFailed] = []

    def check(self, clean: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return clean(*args, **kwargs)
        except ValidationErrors as exc:
            self.errors += exc.errors
        except ValidationFailed as exc:
            self.errors.append(exc)
        return None

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationErrors(self.errors)


def each_error(error: AppError) -> list[AppError]:
    """The problems an error reports: those of a ValidationErrors, else the error itself."""
    return list(error.errors) if isinstance(error, ValidationErrors) else [error]


class LoginFailed(AppError):
    """Wrong pseudonym or password (which one is never said). The attempt is counted."""

    status_code = 401
    default_message = N_("This pseudonym and password do not match.")
    keep_changes = True


class WrongPassword(ValidationFailed):
    """A logged-in member's password, asked again, was not right. The attempt is counted like a log-in's."""

    keep_changes = True


class RecoveryFailed(ValidationFailed):
    """Wrong pseudonym or recovery code. The attempt is counted."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__(N_("This pseudonym and recovery code do not match."), field="code")


class CsrfFailed(AppError):
    status_code = 403
    default_message = N_(
        "Your form had expired or came from another site. Nothing was lost: "
        "check your text and send it again."
    )

    def __init__(self, *, resubmittable: bool = False) -> None:
        super().__init__(self.default_message if resubmittable else CROSS_SITE)
        #: A same-origin form of ours whose token expired: its text is shown again (to copy, never re-sent).
        #: Never for a request another site made: re-posting its fields with a fresh
        #: token would turn a blocked cross-site request into a working one.
        self.resubmittable = resubmittable


CROSS_SITE = N_("This request did not come from a page of this forum, so nothing was done. If you were filling in "
                "a form here, go back to it, reload the page and send it again.")
