"""Canned replies: texts moderators start from, in French, Dutch and English, edited by moderators."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.review import audit
from app.review.models import CannedReply
from app.review.vocabulary import CANNED_PURPOSES

DEFAULTS_FILE = Path(__file__).parent / "data" / "canned.toml"
TITLE_MAX, BODY_MAX = 120, 10000


@cache
def _defaults() -> tuple[dict[str, str], ...]:
    with DEFAULTS_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["reply"])


def seed_canned_replies(session: Session) -> int:
    """Add the default replies for any (purpose, language) that has none; moderators' edits are kept."""
    defaults = _defaults()
    have = {(c.purpose, c.lang) for c in session.scalars(select(CannedReply))}
    added = 0
    for raw in defaults:
        if (raw["purpose"], raw["lang"]) not in have:
            session.add(CannedReply(purpose=raw["purpose"], lang=raw["lang"], title=raw["title"], body=raw["body"]))
            added += 1
    session.flush()
    return added


def list_replies(session: Session, *, purpose: str | None = None, lang: str | None = None,
                 active_only: bool = True) -> list[CannedReply]:
    """The replies in use; for a purpose and language that has none yet, the defaults (not saved)."""
    found = _query(session, purpose=purpose, lang=lang, active_only=active_only)
    if not found and purpose and lang:
        return [CannedReply(purpose=raw["purpose"], lang=raw["lang"], title=raw["title"], body=raw["body"])
                for raw in _defaults() if raw["purpose"] == purpose and raw["lang"] == lang]
    return found


def _query(session: Session, *, purpose: str | None, lang: str | None, active_only: bool) -> list[CannedReply]:
    query = select(CannedReply).order_by(CannedReply.purpose, CannedReply.lang, CannedReply.title)
    if purpose:
        query = query.where(CannedReply.purpose == purpose)
    if lang:
        query = query.where(CannedReply.lang == lang)
    if active_only:
        query = query.where(CannedReply.active.is_(True))
    return list(session.scalars(query))


def first_for(session: Session, *, purpose: str, lang: str) -> CannedReply | None:
    found = list_replies(session, purpose=purpose, lang=lang)
    return found[0] if found else None


def get_reply(session: Session, reply_id: int) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound()
    return reply


def save_reply(session: Session, *, editor: User, reply: CannedReply | None, purpose: str, lang: str, title: str,
               body: str, active: bool = True) -> CannedReply:
    """Create or change a canned reply; each change is audited with the text before and after."""
    if purpose not in CANNED_PURPOSES:
        raise ValidationFailed(N_("Choose what the reply is for."), field="purpose")
    if lang not in LOCALES:
        raise ValidationFailed(N_("Choose a language."), field="lang")
    title = refuse_bidi_overrides(" ".join(strip_controls(title).split()), field="title")
    body = refuse_bidi_overrides(strip_controls(body).strip(), field="body")
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(N_("A title has between %(min)s and %(max)s characters."), field="title", min=1,
                               max=TITLE_MAX)
    if not body or len(body) > BODY_MAX:
        raise ValidationFailed(N_("Write the reply (%(max)s characters at most)."), field="body", max=BODY_MAX)
    before = {"title": reply.title, "body": reply.body, "active": reply.active} if reply else None
    if reply is None:
        reply = CannedReply(purpose=purpose, lang=lang, title=title, body=body)
        session.add(reply)
    reply.purpose, reply.lang, reply.title, reply.body, reply.active = purpose, lang, title, body, active
    reply.updated_at = utcnow()
    reply.updated_by_id = editor.id
    session.flush()
    audit.record(session, actor=editor, action="canned.save", target_type="canned_reply", target_id=reply.id,
                 details={"before": before, "after": {"title": title, "body": body, "active": active}})
    return reply
