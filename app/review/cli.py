"""`forum users grant|revoke`: roles from the console, audited like the admin page (actor "console");
`forum users logout`: end a member's sessions, or everyone's."""

from __future__ import annotations

import typer

from app.accounts.service import close_every_session, close_other_sessions, get_user_by_pseudonym
from app.db import Database
from app.errors import AppError
from app.i18n import LOCALES
from app.review import roles
from app.settings import get_settings

users_cli = typer.Typer(help="Members' roles: moderators (per language) and administrators.", no_args_is_help=True)


def _languages(value: str) -> list[str]:
    langs = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in langs if code not in LOCALES]
    if unknown:
        raise typer.BadParameter(f"unknown language(s): {', '.join(unknown)}; use {', '.join(LOCALES)}")
    return langs


def _change(pseudonym: str, role: str, change: str, languages: str, reason: str) -> None:
    if role not in ("moderator", "admin"):
        raise typer.BadParameter("role must be moderator or admin")
    db = Database(get_settings())
    try:
        with db.session() as session:
            user = get_user_by_pseudonym(session, pseudonym)
            if user is None:
                typer.echo(f"no member called {pseudonym}", err=True)
                raise typer.Exit(1)
            kept_admin = False
            try:
                if change == "grant":
                    # A moderator named without languages moderates their own.
                    langs = _languages(languages) or ([user.locale] if role == "moderator" else [])
                    kept_admin = roles.grant(session, actor=None, user=user, role=role, languages=langs,
                                             reason=reason)
                else:
                    roles.revoke(session, actor=None, user=user, role=role, reason=reason)
            except AppError as exc:
                typer.echo(exc.message % exc.params if exc.params else exc.message, err=True)
                raise typer.Exit(1) from exc
            session.commit()
            langs_text = f" ({user.moderated_langs})" if user.moderated_langs else ""
            if kept_admin:
                typer.echo(f"{user.pseudonym} is an administrator and stays one (an administrator also moderates); "
                           f"languages moderated: {user.moderated_langs}. To make them a moderator only: "
                           f"forum users revoke {user.pseudonym} admin")
            else:
                typer.echo(f"{user.pseudonym} is now {user.role}{langs_text}")
    finally:
        db.dispose()


@users_cli.command()
def grant(pseudonym: str, role: str = typer.Argument(..., help="moderator or admin"),
          languages: str = typer.Option("", "--languages", help="languages moderated, e.g. fr,nl"),
          reason: str = typer.Option("", "--reason", help="kept in the audit log")) -> None:
    """Make a member a moderator (of some languages) or an administrator."""
    _change(pseudonym, role, "grant", languages, reason)


@users_cli.command()
def revoke(pseudonym: str, role: str = typer.Argument(..., help="moderator or admin"),
           reason: str = typer.Option("", "--reason", help="kept in the audit log")) -> None:
    """Take a role back (an administrator who moderated languages stays their moderator)."""
    _change(pseudonym, role, "revoke", "", reason)


@users_cli.command()
def logout(pseudonym: str = typer.Argument("", help="the member to log out everywhere"),
           everyone: bool = typer.Option(False, "--everyone", help="log every member out")) -> None:
    """End sessions at once: one member's (a device they lost), or everyone's (a leaked database copy)."""
    if bool(pseudonym) == everyone:
        raise typer.BadParameter("name one member, or pass --everyone")
    db = Database(get_settings())
    try:
        with db.session() as session:
            if everyone:
                closed = close_every_session(session)
            else:
                user = get_user_by_pseudonym(session, pseudonym)
                if user is None:
                    typer.echo(f"no member called {pseudonym}", err=True)
                    raise typer.Exit(1)
                closed = close_other_sessions(session, user=user, keep_token=None)
            session.commit()
            typer.echo(f"{closed} session(s) closed")
    finally:
        db.dispose()
