"""The client's address, used only in memory to derive a daily keyed hash."""

from __future__ import annotations

from fastapi import Request

from app.db import utcnow
from app.security import client_key
from app.settings import request_settings


def client_address(request: Request) -> str:
    """The peer address; X-Forwarded-For only when the peer is a configured proxy."""
    peer = request.client.host if request.client else ""
    trusted: list[str] = request_settings(request).trusted_proxies
    forwarded = request.headers.get("x-forwarded-for")
    if peer in trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # The nearest hop that is not one of our own proxies is the client.
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return peer


def throttle_key(request: Request, route_class: str) -> str:
    secret: bytes = request.app.state.secret
    return client_key(secret, client_address(request), route_class, utcnow().date())
