"""Sign-up without e-mail and without a third-party captcha: a honeypot field and a time check.

Scripts that fill every field fill the honeypot, which people never see (it is
off-screen, hidden from assistive technology and out of the tab order). Scripts
that post at once are caught by the time check: the form carries when it was
shown, signed with the server secret so it cannot be forged, and a sign-up sent
sooner than `signup_min_seconds` after is refused with a clear message (the
pseudonym is kept). Both come on top of the per-client sign-up limit
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

TOO_FAST = N_("That was very quick. Check the form, then send it again.")
TRAP_FILLED = N_("Leave the field marked \"leave empty\" empty, then send the form again.")


def stamp(secret: bytes) -> str:
    """When the form was shown, signed: "<unix seconds>.<hmac>"."""
    shown = str(int(utcnow().timestamp()))
    return f"{shown}.{keyed_hash(secret, 'signup-shown', shown)}"


def check(secret: bytes, *, honeypot: str, shown: str, min_seconds: int) -> None:
    """Raise ValidationFailed for a filled honeypot, a missing or forged stamp, or a form sent too soon."""
    if honeypot.strip():
        raise ValidationFailed(TRAP_FILLED, field="pseudonym")
    if min_seconds <= 0:  # time check turned off (tests that post at machine speed)
        return
    seconds, _, signature = shown.partition(".")
    if not seconds.isdigit() or not constant_time_equals(signature, keyed_hash(secret, "signup-shown", seconds)):
        raise ValidationFailed(TOO_FAST, field="pseudonym")
    if utcnow().timestamp() - int(seconds) < min_seconds:
        raise ValidationFailed(TOO_FAST, field="pseudonym")
