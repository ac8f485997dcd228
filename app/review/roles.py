"""Granting and revoking roles, from the admin page or the `forum users` command, audited alike."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.errors import PermissionDenied, ValidationFailed
from app.i18n_markers import N_
from app.review import audit


def _state(user: User) -> dict[str, str]:
    return {"role": user.role, "languages": user.moderated_langs}


def grant(session: Session, *, actor: User | None, user: User, role: str, languages: list[str],
          reason: str = "", actor_name: str = audit.CONSOLE) -> bool:
    """Make a member a moderator (of these languages) or an admin. `actor` None: the console.

    Granting never demotes: an administrator granted "moderator" stays an
    administrator and moderates these languages (taking the admin role back is
    `revoke`, said on purpose). Granting "admin" without languages keeps those
    the member already moderated. True when an administrator was kept so.
    """
    if role not in (Role.moderator, Role.admin):
        raise ValidationFailed(N_("Choose moderator or administrator."), field="role")
    before = _state(user)
    kept_admin = role == Role.moderator and user.role == Role.admin
    target = Role.admin if kept_admin else Role(role)
    if target == Role.admin and not languages:
        languages = user.moderated_lang_list
    accounts.set_role(session, user=user, role=target, languages=languages)
    audit.record(session, actor=actor, actor_name=actor_name, action="role.grant", target_type="user",
                 target_id=user.id, reason=reason, details={"before": before, "after": _state(user)})
    return kept_admin


def revoke(session: Session, *, actor: User | None, user: User, role: str, reason: str = "",
           actor_name: str = audit.CONSOLE) -> None:
    """Take a role back: an admin who moderated languages stays their moderator; a moderator becomes a member."""
    if role not in (Role.moderator, Role.admin):
        raise ValidationFailed(N_("Choose moderator or administrator."), field="role")
    if actor is not None and actor.id == user.id and role == Role.admin:
        raise PermissionDenied(N_("Ask another administrator to take back your own administrator role."))
    before = _state(user)
    if role == Role.admin and user.role == Role.admin and user.moderated_langs:
        accounts.set_role(session, user=user, role=Role.moderator, languages=user.moderated_langs.split(","))
    elif user.role == role or (role == Role.moderator and user.role == Role.admin):
        accounts.set_role(session, user=user, role=Role.member)
    else:
        raise ValidationFailed(N_("This member does not have that role."), field="role")
    audit.record(session, actor=actor, actor_name=actor_name, action="role.revoke", target_type="user",
                 target_id=user.id, reason=reason, details={"before": before, "after": _state(user)})
