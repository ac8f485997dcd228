"""Secrets, keyed hashes and client keys.

No IP address is ever stored: a client is known only by a keyed hash of its
address prefix, with a key derived from the server secret and today's date, so
every worker agrees on it and every bucket becomes unlinkable the next day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets


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


def csrf_token_for(secret: bytes, binding: str) -> str:
    """A CSRF token bound to the browser's session (or pre-session) cookie."""
    return keyed_hash(secret, "csrf", binding)[:43]
