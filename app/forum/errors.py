"""The forum's own expected failures."""

from __future__ import annotations

from app.accounts.models import Restriction, User
from app.errors import PermissionDenied
from app.i18n import format_date, get_locale
from app.i18n_markers import N_


class MemberRestricted(PermissionDenied):
    """A silenced, suspended or banned member tried to write; the message says until when, and where to read why."""

    def __init__(self, user: User) -> None:
        restriction = user.active_restriction()
        until = user.restricted_until
        if restriction == Restriction.banned or until is None:
            super().__init__(N_("Your account can no longer post in the forum. Your statements of reasons, under "
                                "your account, say why and how to appeal."))
        elif restriction == Restriction.silenced:
            super().__init__(N_("Your account is read-only until %(date)s. Your statements of reasons, under your "
                                "account, say why and how to appeal."), date=format_date(until, get_locale()))
        else:
            super().__init__(N_("Your account is suspended until %(date)s. Your statements of reasons, under your "
                                "account, say why and how to appeal."), date=format_date(until, get_locale()))
