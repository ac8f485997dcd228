"""Share links: revocable, read-only links to a diary's summary (for a doctor, a pharmacist).

Only the token's hash is stored, so the table cannot be turned back into
working links; the token is shown to the member once, when the link is made.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import serialize, utcnow
from app.diary.models import ShareLink
from app.errors import NotFound, ValidationFailed
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.security import new_token, token_hash

MAX_ACTIVE_LINKS = 10
SUMMARY_SCOPE = "summary"


def list_share_links(session: Session, *, user: User) -> list[ShareLink]:
    return list(session.scalars(
        select(ShareLink).where(ShareLink.user_id == user.id).order_by(ShareLink.created_at.desc(), ShareLink.id)
    ))


def create_share_link(session: Session, *, user: User, label: str) -> tuple[ShareLink, str]:
    """A new link; the token is returned once and never stored in clear."""
    label = refuse_bidi_overrides(" ".join(strip_controls(label).split()), field="label")
    if len(label) > 80:
        raise ValidationFailed(N_("Keep the name of the link to %(max)s characters at most."), field="label", max=80)
    serialize(session, "share-links", user.id)  # links made at once (a double click) are counted one after the other
    active = [link for link in list_share_links(session, user=user) if link.revoked_at is None]
    if len(active) >= MAX_ACTIVE_LINKS:
        raise ValidationFailed(N_("You have %(max)s active links. Switch off one you no longer need first."),
                               field="label", max=MAX_ACTIVE_LINKS)
    token = new_token(32)
    link = ShareLink(user_id=user.id, token_hash=token_hash(token), label=label, scope=SUMMARY_SCOPE,
                     created_at=utcnow())
    session.add(link)
    session.flush()
    return link, token


def revoke_share_link(session: Session, *, user: User, link_id: int) -> ShareLink:
    link = session.get(ShareLink, link_id)
    if link is None or link.user_id != user.id:
        raise NotFound()
    if link.revoked_at is None:
        link.revoked_at = utcnow()
    return link
