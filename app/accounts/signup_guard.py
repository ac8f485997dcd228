"""Sign-up without e-mail and without a third-party captcha: a honeypot field and a time check.

Scripts that fill every field fill the honeypot, which people never see (it is
off-screen, hidden from assistive technology and out of the tab order). Scripts
that post at once are caught by the time check: the form carries when it was
shown, signed with the server secret so it cannot be forged, and a sign-up sent
sooner than `signup_min_seconds` after is refused with a clear message (so is a stamp older
than a day: one stamp cannot serve a script for ever; and each stamp makes one account). A person
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

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import throttle
from app.accounts.models import ThrottleBucket
from app.db import utcnow
from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.security import constant_time_equals, keyed_hash, new_token

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
    """When the form was shown, and which showing it was, signed: "<unix seconds>.<nonce>.<hmac>".

    The nonce tells apart two forms shown in the same second, so that each can be used once (`spend`).
    """
    shown = f"{int(utcnow().timestamp())}.{new_token(9)}"
    return f"{shown}.{keyed_hash(secret, 'signup-shown', shown)}"


def spend(session: Session, secret: bytes, *, shown: str, min_seconds: int, says: str = UNCHECKED,
          field: str = "form") -> None:
    """Mark a checked stamp as used by the sign-up about to be made, in its transaction: one stamp, one account.

    A second sign-up with the same stamp is refused (QA: one stamp made five accounts); two sent at
    once cannot both take it (the bucket's unique key: the second waits for the first's commit).
    A sign-up refused afterwards gives it back (`give_back`; the API's refusals roll it back), so a
    form shown again (pseudonym taken) still goes. Remembered until the stamp expires anyway (a "p:"
    bucket dated at its expiry: throttle.purge_expired keeps it until then).
    """
    if min_seconds <= 0:  # the time check is off (tests that sign up at machine speed): stamps are not required
        return
    try:
        with session.begin_nested():
            session.add(ThrottleBucket(key=_used_key(secret, shown), window_start=_expiry(shown), count=1,
                                       last_at=utcnow()))
    except IntegrityError:
        raise Unchecked(says, field=field, seconds=min_seconds) from None


def give_back(session: Session, secret: bytes, *, shown: str, min_seconds: int) -> None:
    """The sign-up that spent this stamp was refused after all: the same form may be sent again."""
    if min_seconds > 0:
        throttle.clear(session, _used_key(secret, shown))


def _used_key(secret: bytes, shown: str) -> str:
    return throttle.PAIR_PREFIX + keyed_hash(secret, "signup-stamp-used", shown)[:62]


def _expiry(shown: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(shown.partition(".")[0]) + MAX_AGE_SECONDS, dt.UTC)


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
    signed, _, signature = shown.rpartition(".")
    seconds = signed.partition(".")[0]
    if not seconds.isdigit() or not constant_time_equals(signature, keyed_hash(secret, "signup-shown", signed)):
        raise Unchecked(says["unchecked"], field=stamp_field, seconds=min_seconds)
    age = utcnow().timestamp() - int(seconds)
    if age < min_seconds:
        raise TooFast(shown, says["fast"], field=stamp_field, seconds=min_seconds)
    if age > MAX_AGE_SECONDS:
        raise Unchecked(says["old"], field=stamp_field, seconds=min_seconds)
