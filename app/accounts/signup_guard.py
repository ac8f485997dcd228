"""Sign-up without e-mail and without a third-party captcha: a honeypot field and a time check.

Scripts that fill every field fill the honeypot, which people never see (it is
off-screen, hidden from assistive technology and out of the tab order). Scripts
that post at once are caught by the time check: the form carries when it was
shown, signed with the server secret so it cannot be forged, and a sign-up sent
sooner than `signup_min_seconds` after is refused with a clear message. A person
who typed quickly (or whose password manager filled the form) loses nothing:
the page shows the form again with everything in it and the same stamp, so
sending it again at once goes through (app/accounts/views.py says what is
refilled and why). Both come on top of the per-client sign-up limit
(app/accounts/service.py) and new-member trust (premoderation, lower posting
limits: app/forum/service.py, app/accounts/ratelimit.py).
"""

from __future__ import annotations

from app.db import utcnow
from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.security import constant_time_equals, keyed_hash

#: The honeypot's name: a field bots readily fill in, that the form hides from people.
HONEYPOT = "website"
STAMP = "form_shown"

TOO_FAST = N_("This form was sent very quickly after it opened, as automatic sign-up scripts do, so it was not "
              "sent yet. Nothing is lost: check your pseudonym and password below, then press “Create my account” "
              "again.")
UNCHECKED = N_("This form could not be checked (it may have been open for a long time, or come from another "
               "page). Your pseudonym is kept: type your password twice again, then send the form.")
TRAP_FILLED = N_("Leave the field marked \"leave empty\" empty, then send the form again.")


class TooFast(ValidationFailed):
    """A genuine form (its stamp is ours) sent sooner than the minimum: the person may send it again at once."""

    def __init__(self, shown: str) -> None:
        super().__init__(TOO_FAST, field="form")
        self.shown = shown  # the original stamp: by the time it is sent again, enough time has passed


class Unchecked(ValidationFailed):
    """No stamp, or one we did not sign: more likely a script than a person."""

    def __init__(self) -> None:
        super().__init__(UNCHECKED, field="form")


class TrapFilled(ValidationFailed):
    def __init__(self) -> None:
        super().__init__(TRAP_FILLED, field="pseudonym")


def stamp(secret: bytes) -> str:
    """When the form was shown, signed: "<unix seconds>.<hmac>"."""
    shown = str(int(utcnow().timestamp()))
    return f"{shown}.{keyed_hash(secret, 'signup-shown', shown)}"


def check(secret: bytes, *, honeypot: str, shown: str, min_seconds: int) -> None:
    """Raise ValidationFailed for a filled honeypot, a missing or forged stamp, or a form sent too soon."""
    if honeypot.strip():
        raise TrapFilled()
    if min_seconds <= 0:  # time check turned off (tests that post at machine speed)
        return
    seconds, _, signature = shown.partition(".")
    if not seconds.isdigit() or not constant_time_equals(signature, keyed_hash(secret, "signup-shown", seconds)):
        raise Unchecked()
    if utcnow().timestamp() - int(seconds) < min_seconds:
        raise TooFast(shown)
