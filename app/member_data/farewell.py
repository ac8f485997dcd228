"""What the page after an account's deletion says, carried in its address and signed.

The deletion form redirects to that page (Post/Redirect/Get), so that reloading it never sends
the form again. The member is logged out by then and the page cannot look the account up: the
address holds the choice about the posts and the date the erasure becomes final, signed with the
server secret so that nobody can make the page state another date, and nothing else (no
pseudonym, no member id: the address stays in the browser's history, maybe a shared one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import utcnow
from app.security import constant_time_equals, keyed_hash

#: Long enough for a reload, or a tab reopened the next morning; after it, the page speaks in general terms.
VALID_FOR = dt.timedelta(days=1)
_PURPOSE = "erasure-scheduled"
_CHOICES = {"keep": True, "remove": False}
_MAC_CHARS = 32  # 128 bits of the HMAC-SHA-256: a short address, and nothing to gain from forging one anyway
_MAX_LENGTH = 80
_CLOCK_SKEW = dt.timedelta(minutes=5)  # workers whose clocks differ a little


@dataclass(frozen=True)
class Scheduled:
    erase_at: dt.datetime
    keep_posts: bool


def _mac(secret: bytes, body: str) -> str:
    return keyed_hash(secret, _PURPOSE, body)[:_MAC_CHARS]


def sign(secret: bytes, *, erase_at: dt.datetime, keep_posts: bool, now: dt.datetime | None = None) -> str:
    """"<keep|remove>.<erasure, unix seconds>.<issued, unix seconds>.<mac>"."""
    issued = int((now or utcnow()).timestamp())
    body = f"{'keep' if keep_posts else 'remove'}.{int(erase_at.timestamp())}.{issued}"
    return f"{body}.{_mac(secret, body)}"


def read(secret: bytes, value: str, *, now: dt.datetime | None = None) -> Scheduled | None:
    """The choice and date a value we signed holds; None for one forged, altered, malformed or too old."""
    if len(value) > _MAX_LENGTH:
        return None
    body, _dot, mac = value.rpartition(".")
    parts = body.split(".")
    if len(parts) != 3 or not constant_time_equals(mac, _mac(secret, body)):
        return None
    choice, erase_at, issued = parts
    if choice not in _CHOICES or not erase_at.isdigit() or not issued.isdigit():
        return None
    try:
        at = dt.datetime.fromtimestamp(int(erase_at), dt.UTC)
        age = (now or utcnow()) - dt.datetime.fromtimestamp(int(issued), dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None
    if not -_CLOCK_SKEW <= age <= VALID_FOR:
        return None
    return Scheduled(erase_at=at, keep_posts=_CHOICES[choice])
