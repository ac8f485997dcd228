"""Secrets shown once (recovery codes, a diary share link): kept server-side, sealed, for one display.

The database keeps only hashes of these secrets, so the page that shows one cannot
be rebuilt later. Between the POST that makes them and the page that shows them
(post/redirect/get), the value waits in `accounts_reveals`:

- bound to the member's session: deleted with it (log-out, "log out everywhere",
  a password change, an erasure), useless in another browser;
- sealed with AES-GCM under a key derived from the server secret and the session
  token. Only the member's browser holds the token (the database has its hash),
  so neither a copy of the database nor a copy of the browser's cookies reads it
  (issue 9: the codes used to ride in a signed but readable cookie for 30 minutes);
- shown once: the first page that shows it leaves a short grace for a reload, a
  language switch or a print preview, then it is gone. It goes at once when the
  member says they kept it, and one never shown expires after a few minutes
  (housekeeping deletes what is left).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import AuthSession, Reveal
from app.accounts.permissions import best_effort_write
from app.db import serialize, utcnow
from app.web.middleware import SESSION_COOKIE

#: How long a secret waits for its page when the redirect is not followed at once.
UNSHOWN_SECONDS = 10 * 60
#: After the first display: a reload, a language switch, a print preview; then never again.
GRACE_SECONDS = 2 * 60
_NONCE = 12


def _key(secret: bytes, token: str) -> bytes:
    return hmac.new(secret, f"reveal-key\x00{token}".encode(), hashlib.sha256).digest()


def _aad(auth_id: int, name: str) -> bytes:
    return f"{auth_id}|{name}".encode()


def _current(request: Request, session: Session) -> tuple[AuthSession, str] | None:
    token = request.state.cookies.get(SESSION_COOKIE)
    auth = getattr(request.state, "auth_session", None)
    if not token:
        return None
    if auth is None:
        auth = service.get_session_by_token(session, token)
    return (auth, token) if auth is not None else None


def keep(request: Request, session: Session, name: str, value: Any, *, session_token: str | None = None) -> None:
    """Keep `value` (JSON-able) for the session; `session_token` when the session is opened by this request."""
    if session_token is not None:
        auth = service.get_session_by_token(session, session_token)
        token = session_token
    else:
        found = _current(request, session)
        auth, token = found if found is not None else (None, "")
    if auth is None:
        return
    nonce = os.urandom(_NONCE)
    sealed = nonce + AESGCM(_key(request.app.state.secret, token)).encrypt(
        nonce, json.dumps(value).encode(), _aad(auth.id, name))
    # Kept twice at once (a double click): the later replaces the first's, instead of inserting a second (a 500).
    serialize(session, "reveal", auth.id)
    session.execute(delete(Reveal).where(Reveal.session_id == auth.id, Reveal.name == name))
    session.add(Reveal(session_id=auth.id, name=name, sealed=sealed,
                       expires_at=utcnow() + dt.timedelta(seconds=UNSHOWN_SECONDS)))


def read(request: Request, session: Session, name: str) -> Any | None:
    """The kept value, or None when absent, expired or not this session's; its first display starts the grace."""
    found = _current(request, session)
    if found is None:
        return None
    auth, token = found
    reveal = session.scalar(select(Reveal).where(Reveal.session_id == auth.id, Reveal.name == name))
    now = utcnow()
    if reveal is None or reveal.expires_at <= now:
        return None
    try:
        plain = AESGCM(_key(request.app.state.secret, token)).decrypt(
            reveal.sealed[:_NONCE], reveal.sealed[_NONCE:], _aad(auth.id, name))
        value = json.loads(plain)
    except (InvalidTag, ValueError):
        return None
    if reveal.shown_at is None:
        until = min(reveal.expires_at, now + dt.timedelta(seconds=GRACE_SECONDS))
        best_effort_write(session, lambda: session.execute(
            update(Reveal).where(Reveal.id == reveal.id).values(shown_at=now, expires_at=until)))
    return value


def forget(request: Request, session: Session, *names: str) -> None:
    """Delete the session's kept secrets (all of them when no name is given)."""
    found = _current(request, session)
    if found is None:
        return
    query = delete(Reveal).where(Reveal.session_id == found[0].id)
    if names:
        query = query.where(Reveal.name.in_(names))
    session.execute(query)


def purge_expired(session: Session) -> int:
    """Housekeeping: secrets never shown, or shown and past their grace."""
    result = session.execute(delete(Reveal).where(Reveal.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
