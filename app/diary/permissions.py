"""Who may read a diary. A missing and a forbidden diary look the same (404).

A diary is private by default. The member may open its summary to logged-in
members, and may make revocable share links (sharing.py): a link opens the
read-only summary and nothing else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User, UserStatus
from app.diary.models import DiaryVisibility, ShareLink
from app.diary.service import get_diary_settings
from app.diary.sharing import SUMMARY_SCOPE
from app.errors import NotFound
from app.security import token_hash


def access_member_diary(session: Session, viewer: User, owner_id: int) -> User:
    """The owner of a diary another member may read (visibility "members"); else NotFound."""
    owner = session.get(User, owner_id)
    if owner is None or owner.status != UserStatus.active:
        raise NotFound()
    if owner.id == viewer.id:
        return owner
    if owner.posts_withdrawn:
        raise NotFound()  # their erasure with their posts' text waits: their name and summary are out of sight too
    if get_diary_settings(session, user_id=owner.id).visibility != DiaryVisibility.members:
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
    if owner.erase_at is not None:
        # Their account's erasure waits, and the diary goes with it: the link is suspended meanwhile (saying
        # why would tell whoever holds it), and works again if they log in, which cancels the erasure.
        raise NotFound()
    return link, owner
