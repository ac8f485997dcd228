"""Who may read a diary, and share links. A missing and a forbidden diary look the same (404).

A diary is private by default. The member may open its summary to logged-in
members, and may make revocable share links (for a doctor, a pharmacist): a
link opens the read-only summary and nothing else. Only the token's hash is
stored, so the table cannot be turned back into working links.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User, UserStatus
from app.db import utcnow
from app.diary.models import DiaryVisibility, ShareLink
from app.diary.service import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n_markers import N_
from app.security import new_token, token_hash

MAX_ACTIVE_LINKS = 10
SUMMARY_SCOPE = "summary"


def access_member_diary(session: Session, viewer: User, owner_id: int) -> User:
    """The owner of a diary another member may read (visibility "members"); else NotFound."""
    owner = session.get(User, owner_id)
    if owner is None or owner.status != UserStatus.active:
        raise NotFound()
    if owner.id != viewer.id and get_settings(session, user_id=owner.id).visibility != DiaryVisibility.members:
        raise NotFound()
    return owner


def access_shared_diary(session: Session, token: str) -> tuple[ShareLink, User]:
    """The link and the diary's owner for a share token; unknown or revoked -> NotFound."""
    if not token or len(token) > 128:
        raise NotFound()
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or link.scope != SUMMARY_SCOPE:
        raise NotFound()
    owner = session.get(User, link.user_id)
    if owner is None or owner.status != UserStatus.active:
        raise NotFound()
    return link, owner


def list_share_links(session: Session, *, user: User) -> list[ShareLink]:
    return list(session.scalars(
        select(ShareLink).where(ShareLink.user_id == user.id).order_by(ShareLink.created_at.desc(), ShareLink.id)
    ))


def create_share_link(session: Session, *, user: User, label: str) -> tuple[ShareLink, str]:
    """A new link; the token is returned once and never stored in clear."""
    label = " ".join(label.split())
    if len(label) > 80:
        raise ValidationFailed(N_("Keep the name of the link to %(max)s characters at most."), field="label", max=80)
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
