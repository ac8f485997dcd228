"""Sign-up without e-mail and without a third-party captcha: a honeypot field and a time check.

Scripts that fill every field fill the honeypot, which people never see (it is
off-screen, hidden from assistive technology and out of the tab order). Scripts
that post at once are caught by the time check: the form carries when it was
shown, signed with the server secret so it cannot be forged, and a sign-up sent
sooner than `signup_min_seconds` after is refused with a clear message (so is a stamp older
than a day: one stamp cannot serve a script for ever). A person
who typed quickly (or whose password manager filled the form) loses nothing:
the page shows the form again with everything in it and the same stamp, so
sending it again at once goes through (app/accounts/views.py says what is
refilled and why). Both come on top of the per-client sign-up limit
(app/accounts/service.py) and new-member trust (premoderation, lower posting
limits: app/forum/service.py, app/accounts/ratelimit.py).

The JSON API has the same two checks (issue 9): a client asks
`GET /api/v1/accounts/form-token` for a stamp (the form's "shown" moment) and
sends it back as `form_token`, with the honeypot `website` left empty.
"""

from __future__ import annotations

from app.db import utcnow
from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.security import constant_time_equals, keyed_hash

#: The honeypot's name: a field bots readily fill in, that the form hides from people.
HONEYPOT = "website"
STAMP = "form_shown"
#: A stamp older than this is refused (the form or the API client asks for a fresh one).
MAX_AGE_SECONDS = 24 * 3600

TOO_FAST = N_("This form was sent very quickly after it opened, as automatic sign-up scripts do, so it was not "
              "sent yet. Nothing is lost: check your pseudonym and password below, then press “Create my account” "
              "again.")
UNCHECKED = N_("This form could not be checked (it may have been open for a long time, or come from another "
               "page). Your pseudonym is kept: type your password twice again, then send the form.")
TRAP_FILLED = N_("Leave the field marked \"leave empty\" empty, then send the form again.")


class TooFast(ValidationFailed):
    """A genuine form (its stamp is ours) sent sooner than the minimum: the person may send it again at once."""

    def __init__(self, shown: str, message: str = TOO_FAST, field: str = "form", **params: object) -> None:
        super().__init__(message, field=field, **params)
        self.shown = shown  # the original stamp: by the time it is sent again, enough time has passed


class Unchecked(ValidationFailed):
    """No stamp, one we did not sign, or one more than a day old: more likely a script than a person."""


class TrapFilled(ValidationFailed):
    """The honeypot was filled."""


def stamp(secret: bytes) -> str:
    """When the form was shown, signed: "<unix seconds>.<hmac>"."""
    shown = str(int(utcnow().timestamp()))
    return f"{shown}.{keyed_hash(secret, 'signup-shown', shown)}"


def check(secret: bytes, *, honeypot: str, shown: str, min_seconds: int, messages: dict[str, str] | None = None,
          trap_field: str = "pseudonym", stamp_field: str = "form") -> None:
    """Raise ValidationFailed for a filled honeypot, a missing, forged or stale stamp, or a form sent too soon.

    `messages` replaces the form's wording ("trap", "fast", "unchecked", "old") for another kind of client
    (the JSON API), and `trap_field`/`stamp_field` name its fields.
    """
    says = {"trap": TRAP_FILLED, "fast": TOO_FAST, "unchecked": UNCHECKED, "old": UNCHECKED, **(messages or {})}
    if honeypot.strip():
        raise TrapFilled(says["trap"], field=trap_field)
    if min_seconds <= 0:  # time check turned off (tests that post at machine speed)
        return
    seconds, _, signature = shown.partition(".")
    if not seconds.isdigit() or not constant_time_equals(signature, keyed_hash(secret, "signup-shown", seconds)):
        raise Unchecked(says["unchecked"], field=stamp_field, seconds=min_seconds)
    age = utcnow().timestamp() - int(seconds)
    if age < min_seconds:
        raise TooFast(shown, says["fast"], field=stamp_field, seconds=min_seconds)
    if age > MAX_AGE_SECONDS:
        raise Unchecked(says["old"], field=stamp_field, seconds=min_seconds)
