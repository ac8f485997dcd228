"""Secrets, keyed hashes and client keys.

No IP address is ever stored: a client is known only by a keyed hash of its
address prefix, with a key derived from the server secret and today's date, so
every worker agrees on it and every bucket becomes unlinkable the next day.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import secrets
import time


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a leaked table gives no usable session."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def day_key(secret: bytes, day: dt.date) -> bytes:
    return hmac.new(secret, f"day-key\x00{day.isoformat()}".encode(), hashlib.sha256).digest()


def address_prefix(address: str) -> str:
    """IPv4 as is; IPv6 cut to its /64, which one household or device usually holds."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(secret: bytes, address: str, route_class: str, today: dt.date) -> str:
    return keyed_hash(day_key(secret, today), "client", f"{address_prefix(address)}|{route_class}")


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


CSRF_RESUBMIT_HOURS = 48  # a form older than this is not offered again after its token expired


@functools.lru_cache(maxsize=16)  # one per hour and secret: every page of that hour asks for it
def _csrf_stamp(secret: bytes, stamp: str) -> str:
    return keyed_hash(secret, "csrf-issued", stamp)[:16]


def csrf_token_for(secret: bytes, binding: str, *, now: float | None = None) -> str:
    """A CSRF token bound to the browser's session (or pre-session) cookie.

    Three parts: the hour it was issued, a MAC saying this server issued it then,
    and a MAC binding it to the cookie. Only the last decides whether a request
    is accepted; the first two let the error page tell "a form of ours whose
    session changed" (offered again) from "a form made elsewhere" (never).
    """
    stamp = format(int((time.time() if now is None else now) // 3600), "x")
    return f"{stamp}.{_csrf_stamp(secret, stamp)}.{keyed_hash(secret, 'csrf', f'{binding}|{stamp}')[:32]}"


def csrf_token_matches(secret: bytes, binding: str, token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 80:
        return False
    stamp, _issuer, mac = parts
    return constant_time_equals(mac, keyed_hash(secret, "csrf", f"{binding}|{stamp}")[:32])


def csrf_token_expired(secret: bytes, token: str, *, now: float | None = None) -> bool:
    """True for a token this server issued recently, whatever cookie it was bound to."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 80:
        return False
    stamp, issuer, _mac = parts
    try:
        hour = int(stamp, 16)
    except ValueError:
        return False
    age = int((time.time() if now is None else now) // 3600) - hour
    return constant_time_equals(issuer, _csrf_stamp(secret, stamp)) and 0 <= age <= CSRF_RESUBMIT_HOURS
