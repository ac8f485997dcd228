"""Research's expected failures, with messages members and researchers understand."""

from __future__ import annotations

from app.errors import AppError, Conflict, PermissionDenied, ValidationFailed
from app.i18n_markers import N_


class ProjectNotActive(PermissionDenied):
    default_message = N_("This project is not approved, or its approval has expired: no export can be made "
                         "or downloaded.")


class TermsNotAccepted(PermissionDenied):
    default_message = N_("Accept the data-use terms first: every researcher of a project accepts them personally.")


class NotProjectMember(PermissionDenied):
    default_message = N_("Only the researchers of this project can see its exports.")


class ExportNotReady(Conflict):
    default_message = N_("This export is not ready for download yet.")


class ExportExpired(AppError):
    status_code = 410
    default_message = N_("This export was deleted: downloads are kept for 7 days. Request a new export.")


class AnonymiserMissing(AppError):
    """The research extra (NLP models) is missing on this server."""

    status_code = 503
    default_message = N_("The anonymisation models are not installed on this server. An administrator can "
                         "install them with: pip install -e '.[research]' && forum research warm")


def invalid(message: str, field: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, field=field, **params)
