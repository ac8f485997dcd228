"""`Idempotency-Key` for JSON writes that create something: the same key from the same member answers once.

A client that retries a request (a timeout, a lost answer, a double tap) sends
the same `Idempotency-Key` header (any printable text up to 255 characters; a
UUID is usual); within `WINDOW` the first answer comes back, unchanged, with
`Idempotent-Replayed: true`, and nothing is created again (the IETF
httpapi "Idempotency-Key" header draft, as Stripe and others use it).

The key's row is written first, in the request's own transaction, by an INSERT
that the database's unique constraint on (member, key) decides: of requests sent
at once with one key, one inserts; on PostgreSQL the others' INSERT waits for
that transaction and then finds the row (ON CONFLICT DO NOTHING), on SQLite
the writers already take turns. The first request stores its answer in the row
before its commit, so whoever finds the row finds the answer; a first request
that fails rolls its row back with everything else, and a retry then runs anew.
The same key with another request (another route, thread or body) is refused
(422): it is a client's mistake, never a reason to post twice or to answer wrongly.

A kept answer is the member's data (`export_member`), and it can carry others'
words: the findings of a reply list the passages they matched, a quote of
another member's post included. At a member's final erasure (`erase_member`)
their own keys go, and so do others' answers about posts that quoted or
mentioned them (a retry of one of those then runs anew, like one after WINDOW).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, UTCDateTime, utcnow
from app.errors import Conflict, ValidationFailed
from app.i18n_markers import N_

#: How long a key is remembered: a retry within it gets the first answer; after it, the key is new again.
WINDOW = dt.timedelta(hours=24)
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"

KEY_DOC = (f"Optional. The same key from the same member within {WINDOW.total_seconds() / 3600:.0f} hours answers "
           "with the first request's answer (header Idempotent-Replayed: true) instead of creating it again; the "
           "same key with a different request is a 422. Printable ASCII, 1 to 255 characters (a UUID is usual).")
KeyHeader = Annotated[str | None, Header(alias=HEADER, pattern=r"^[\x21-\x7e]{1,255}$", description=KEY_DOC)]

RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "A request with the same Idempotency-Key is still being handled"},
    422: {"description": "Invalid input, or an Idempotency-Key already used for a different request"},
}
OTHER_REQUEST = N_("This Idempotency-Key was already used for a different request: send a new key for a new request.")
STILL_RUNNING = N_("A request with this Idempotency-Key is still being handled: try again in a moment.")


class IdempotencyKey(Base):
    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # What the key was first sent with: the route's name and a hash of what identifies the request.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass(frozen=True)
class Claim:
    """A key taken for this request (`answer` stores what it answered), or the first request's answer (`replay`)."""

    user_id: int
    key: str
    replay: JSONResponse | None = None

    def answer(self, session: Session, body: Any, status_code: int) -> None:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.user_id == self.user_id,
                                                     IdempotencyKey.key == self.key)
                        .values(status_code=status_code, response=json.dumps(body, default=str)))


def fingerprint(route: str, *parts: Any) -> str:
    """A hash of the route and what identifies a request to it (path ids, the JSON body)."""
    text = json.dumps([route, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def claim(session: Session, *, user_id: int, key: str | None, request_fingerprint: str) -> Claim | None:
    """Take `key` for this request, or find the answer its first request gave; None without a key."""
    if key is None:
        return None
    now = utcnow()
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(IdempotencyKey)
    for _attempt in range(2):
        taken = session.execute(insert.values(user_id=user_id, key=key, fingerprint=request_fingerprint,
                                              created_at=now)
                                .on_conflict_do_nothing(index_elements=["user_id", "key"])
                                .returning(IdempotencyKey.id)).scalar_one_or_none()
        if taken is not None:
            return Claim(user_id=user_id, key=key)
        first = session.execute(select(IdempotencyKey.fingerprint, IdempotencyKey.status_code,
                                       IdempotencyKey.response, IdempotencyKey.created_at)
                                .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).one_or_none()
        if first is not None and first.created_at > now - WINDOW:
            if first.fingerprint != request_fingerprint:
                raise ValidationFailed(OTHER_REQUEST, field=HEADER)
            if first.status_code is None or first.response is None:
                raise Conflict(STILL_RUNNING)
            return Claim(user_id=user_id, key=key, replay=JSONResponse(
                json.loads(first.response), status_code=first.status_code, headers={REPLAYED: "true"}))
        # Gone meanwhile, or older than the window: the key is new again.
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
                                                     IdempotencyKey.created_at <= now - WINDOW))
    raise Conflict(STILL_RUNNING)


def purge_expired(session: Session) -> int:
    """Housekeeping: forget keys older than the window."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= utcnow() - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def export_member(session: Session, *, user_id: int) -> list[dict[str, Any]]:
    """The member's keys still kept, with the answer each one gives to a retry (their data export)."""
    rows = session.execute(select(IdempotencyKey.key, IdempotencyKey.created_at, IdempotencyKey.status_code,
                                  IdempotencyKey.response).where(IdempotencyKey.user_id == user_id)
                           .order_by(IdempotencyKey.created_at, IdempotencyKey.id))
    return [{"key": row.key, "created_at": row.created_at.isoformat(), "status_code": row.status_code,
             "answer": None if row.response is None else json.loads(row.response)} for row in rows]


def _answered_post(response: str) -> int | None:
    """The post a kept answer is about: a reply's `id`, a new thread's `first_post_id`."""
    try:
        answer = json.loads(response)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    post_id = answer.get("first_post_id", answer.get("id"))
    return post_id if isinstance(post_id, int) else None


def erase_member(session: Session, *, user_id: int, naming_post_ids: Iterable[int]) -> int:
    """A member's final erasure: their keys, and others' answers about posts that named or quoted them; a count.

    `naming_post_ids`: others' posts that quoted or mentioned the member. The table holds
    about a day of keyed requests (`purge_expired`): the others' answers are read here.
    """
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id))
    removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    naming = set(naming_post_ids)
    if naming:
        answers = session.execute(select(IdempotencyKey.id, IdempotencyKey.response).where(
            IdempotencyKey.response.is_not(None)))
        doomed = [row.id for row in answers if _answered_post(row.response) in naming]
        if doomed:
            result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(doomed)))
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return removed
