"""Export and erasure of a member's data. Each domain contributes through its own service.

This package sits above every domain it gathers from: the domains never import
it, and it never touches their tables itself.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import utcnow
from app.diary import export as diary_export
from app.diary import service as diary
from app.errors import ValidationFailed
from app.forum import service as forum
from app.i18n_markers import N_
from app.research import service as research
from app.review import personal as review
from app.settings import Settings

# Each domain's part of the download, under its own key.
EXPORTERS: dict[str, Callable[[Session, User], object]] = {
    "account": lambda session, user: accounts.export_account(session, user=user),
    "forum": lambda session, user: forum.export_member_content(session, user=user),
    "diary": lambda session, user: diary_export.export_member_diary(session, user=user),
    "research": lambda session, user: research.export_member_research(session, user=user),
    "moderation": lambda session, user: review.export_member(session, user=user),
}


def export_member_data(session: Session, *, user: User) -> dict[str, object]:
    """Everything the forum keeps about the member, as one JSON-ready mapping."""
    return {"exported_at": utcnow().isoformat(), **{key: export(session, user) for key, export in EXPORTERS.items()}}


def delete_account(session: Session, settings: Settings, *, user: User, password: str, confirmed: bool,
                   remove_posts: bool) -> None:
    """Delete the account for good, after the member confirmed with their password.

    With `remove_posts`, the posts' text (and every earlier version, what the
    moderation engine quoted from them, and moderators' labels that copy it) is
    erased; otherwise the posts stay, signed "former member". The diary and the
    research consent go in every case.
    """
    if not confirmed:
        raise ValidationFailed(N_("Tick the box to confirm that you want to delete your account."), field="confirm")
    accounts.confirm_password(settings, user=user, password=password, field="delete_password")
    if remove_posts:
        erased = forum.erase_member_posts(session, user=user)
        review.forget_posts(session, post_ids=erased)
    diary.erase_member_diary(session, user=user)
    research.erase_member_research(session, user=user)
    accounts.delete_account(session, user=user)
