"""Sign-up without e-mail and without a third-party captcha: a honeypot field and a time check.

Scripts that fill every field fill the honeypot, which people never see (it is
off-screen, hidden from assistive technology and out of the tab order). Scripts
that post at once are caught by the time check: the form carries when it was
shown, signed with the server secret so it cannot be forged, and a sign-up sent
sooner than `signup_min_seconds` after is refused with a clear message (the
pseudonym is kept); a stamp older than a day is refused too, so one stamp
cannot serve a script for ever. Both come on top of the per-client sign-up
limit (app/accounts/service.py) and new-member trust (premoderation, lower
posting limits: app/forum/service.py, app/accounts/ratelimit.py).

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

TOO_FAST = N_("That was very quick. Check the form, then send it again.")
TOO_OLD = N_("This form was open for a long time. Check it, then send it again.")
TRAP_FILLED = N_("Leave the field marked \"leave empty\" empty, then send the form again.")


def stamp(secret: bytes) -> str:
    """When the form was shown, signed: "<unix seconds>.<hmac>"."""
    shown = str(int(utcnow().timestamp()))
    return f"{shown}.{keyed_hash(secret, 'signup-shown', shown)}"


def check(secret: bytes, *, honeypot: str, shown: str, min_seconds: int, messages: dict[str, str] | None = None,
          trap_field: str = "pseudonym", stamp_field: str = "pseudonym") -> None:
    """Raise ValidationFailed for a filled honeypot, a missing, forged or stale stamp, or a form sent too soon.

    `messages` replaces the form's wording ("trap", "fast", "old") for another kind of client (the JSON API).
    """
    says = {"trap": TRAP_FILLED, "fast": TOO_FAST, "old": TOO_OLD, **(messages or {})}
    if honeypot.strip():
        raise ValidationFailed(says["trap"], field=trap_field)
    if min_seconds <= 0:  # time check turned off (tests that post at machine speed)
        return
    seconds, _, signature = shown.partition(".")
    if not seconds.isdigit() or not constant_time_equals(signature, keyed_hash(secret, "signup-shown", seconds)):
        raise ValidationFailed(says["fast"], field=stamp_field, seconds=min_seconds)
    age = utcnow().timestamp() - int(seconds)
    if age < min_seconds:
        raise ValidationFailed(says["fast"], field=stamp_field, seconds=min_seconds)
    if age > MAX_AGE_SECONDS:
        raise ValidationFailed(says["old"], field=stamp_field, seconds=min_seconds)
