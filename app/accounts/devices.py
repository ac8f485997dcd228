"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies").

Failed log-ins are throttled per pseudonym and client (service.py), where the
client is a keyed hash of an address prefix: everyone behind one address (a
mobile operator's shared address, a household, a proxy) is one client, so a
stranger there could make a member's own attempts wait by failing on their
pseudonym, which is public. No address may be stored, so the member's browser
is recognised instead: every successful log-in leaves it a device cookie, and
an attempt that presents a valid one for the pseudonym it tries is counted
against that cookie alone (`per_device` failures per window), never against,
nor stopped by, the counters that attempts without one fill.

The cookie holds a random nonce and an HMAC of it under a key derived from the
server secret, so a forged or altered value is refused without a query; the
database keeps a keyed hash of the nonce, the member it was issued to, the first
and latest log-in with it and its expiry, nothing else (no address, no
fingerprint). Members see that list in their settings and may forget any of
them (`forget`, `forget_all`): the browser's next attempts then count with
everyone else's until it logs in again. One browser may hold the
cookies of a few members (a shared family computer): up to MAX_TOKENS, each
valid only for its own member. Logging out leaves it (it is not a session and
opens nothing); a new log-in replaces it; it expires after
`device_cookie_days`; erasing the account deletes its rows.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass, field

from fastapi import Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import DeviceCookie, User
from app.db import utcnow
from app.security import keyed_hash
from app.settings import Settings

COOKIE = "tk_device"
MAX_TOKENS = 3
_SEPARATOR = "~"
_MAC_CHARS = 43  # 172 bits of the HMAC-SHA-256: plenty against forgery, a short cookie
KEY_PREFIX = "d:"  # throttle buckets of device cookies (app/accounts/throttle.py)


def _mac(secret: bytes, nonce: str) -> str:
    return keyed_hash(secret, "device-cookie", nonce)[:_MAC_CHARS]


def _nonce_hash(secret: bytes, nonce: str) -> str:
    return keyed_hash(secret, "device-nonce", nonce)


def _nonces(secret: bytes, value: str | None) -> list[str]:
    """The nonces of the cookie's tokens whose signature holds (the others are ignored: forged or stale)."""
    found = []
    for token in (value or "").split(_SEPARATOR)[:MAX_TOKENS]:
        nonce, _dot, mac = token.partition(".")
        if nonce and len(nonce) <= 64 and hmac.compare_digest(mac.encode(), _mac(secret, nonce).encode()):
            found.append(nonce)
    return found


@dataclass(frozen=True)
class Presented:
    """What a log-in attempt's device cookie holds, looked up once: its live tokens and whom they are for."""

    value: str | None
    owners: dict[str, int]  # nonce -> member id, live tokens only, in the cookie's order
    rows: dict[str, int]  # nonce -> DeviceCookie id
    since: dict[str, dt.datetime] = field(default_factory=dict)  # nonce -> its first log-in

    def device_for(self, user: User | None) -> int | None:
        """The DeviceCookie id this browser holds for `user`, if any."""
        if user is None:
            return None
        return next((self.rows[nonce] for nonce, owner in self.owners.items() if owner == user.id), None)


def read(session: Session, settings: Settings, value: str | None) -> Presented:
    """One query at most: no query for a browser with no device cookie, or only forged ones."""
    secret = settings.resolved_secret()
    nonces = _nonces(secret, value)
    if not nonces:
        return Presented(value=value, owners={}, rows={})
    by_hash = {_nonce_hash(secret, nonce): nonce for nonce in nonces}
    rows = session.execute(select(DeviceCookie.id, DeviceCookie.nonce_hash, DeviceCookie.user_id,
                                  DeviceCookie.created_at).where(
        DeviceCookie.nonce_hash.in_(list(by_hash)), DeviceCookie.expires_at > utcnow())).all()
    found = {by_hash[row.nonce_hash]: row for row in rows}
    live = [nonce for nonce in nonces if nonce in found]  # in the cookie's order: the newest first
    return Presented(value=value, owners={nonce: found[nonce].user_id for nonce in live},
                     rows={nonce: found[nonce].id for nonce in live},
                     since={nonce: found[nonce].created_at for nonce in live})


def throttle_key(device_id: int) -> str:
    return f"{KEY_PREFIX}{device_id}"


def issue(session: Session, settings: Settings, *, user: User, presented: Presented) -> str:
    """A new device cookie for `user` after a successful log-in; returns the cookie's whole new value.

    The member's earlier token in this browser is replaced (its row deleted, its first
    log-in kept); other members' live tokens stay, the newest first, up to MAX_TOKENS.
    """
    secret = settings.resolved_secret()
    mine = [nonce for nonce, owner in presented.owners.items() if owner == user.id]
    now = utcnow()
    first = min((presented.since[n] for n in mine if n in presented.since), default=now)
    if mine:
        session.execute(delete(DeviceCookie).where(DeviceCookie.id.in_([presented.rows[n] for n in mine])))
    nonce = secrets.token_urlsafe(24)
    expires = now + dt.timedelta(days=settings.throttle.device_cookie_days)
    session.add(DeviceCookie(user_id=user.id, nonce_hash=_nonce_hash(secret, nonce), created_at=first,
                             last_used_at=now, expires_at=expires))
    others = [f"{n}.{_mac(secret, n)}" for n, owner in presented.owners.items() if owner != user.id]
    return _SEPARATOR.join([f"{nonce}.{_mac(secret, nonce)}", *others][:MAX_TOKENS])


def set_cookie(request: Request, response: Response, value: str, settings: Settings) -> None:
    """HttpOnly, SameSite=Lax, Secure in production or over HTTPS; sent to every path (the log-in form and API)."""
    response.set_cookie(COOKIE, value, max_age=settings.throttle.device_cookie_days * 86400, path="/",
                        httponly=True, samesite="lax",
                        secure=settings.secure_cookies or request.url.scheme == "https")


def list_devices(session: Session, *, user: User) -> list[DeviceCookie]:
    """The member's live device cookies, the most recently used first."""
    return list(session.scalars(select(DeviceCookie).where(DeviceCookie.user_id == user.id,
                                                           DeviceCookie.expires_at > utcnow())
                                .order_by(DeviceCookie.last_used_at.desc(), DeviceCookie.id.desc())))


def current_device_id(session: Session, settings: Settings, *, user: User, value: str | None) -> int | None:
    """The DeviceCookie this browser holds for `user` (its cookie's `value`), if any."""
    return read(session, settings, value).device_for(user)


def forget(session: Session, *, user: User, device_id: int) -> bool:
    """The member forgets one of their browsers: False when there was none by that id to forget.

    Forgotten already (a second click) or another member's: the same False, and nothing changes, so the
    answer tells nothing about other members' browsers.
    """
    result = session.execute(delete(DeviceCookie).where(DeviceCookie.id == device_id,
                                                        DeviceCookie.user_id == user.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def forget_all(session: Session, *, user: User) -> int:
    result = session.execute(delete(DeviceCookie).where(DeviceCookie.user_id == user.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_expired(session: Session) -> int:
    result = session.execute(delete(DeviceCookie).where(DeviceCookie.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
