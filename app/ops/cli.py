"""`forum backup`, `forum restore` and `forum check-ready`."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

import typer

from app.ops import backup as backups
from app.settings import get_settings


def backup_command(
    out: Path | None = typer.Option(None, "--out", help="Folder for the backup (default: FORUM_BACKUP_DIR)."),
    keep: int | None = typer.Option(None, "--keep", min=1, help="Keep only the newest N backups in that folder."),
) -> None:
    """Back up the database while the forum runs (SQLite online backup, or pg_dump custom format)."""
    try:
        path, manifest = backups.backup(get_settings(), out, keep=keep)
    except backups.BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    rows = sum(manifest.counts.values())
    typer.echo(f"{path} ({manifest.bytes} bytes, {len(manifest.counts)} tables, {rows} rows, "
               f"sha256 {manifest.sha256[:16]}...)")


def restore_command(
    file: Path = typer.Argument(..., help="A backup file written by `forum backup` (its .json manifest beside it)."),
    force: bool = typer.Option(False, "--force", help="Replace a database that already holds data."),
) -> None:
    """Restore a backup into the configured database (stop the app and the worker first)."""
    try:
        manifest = backups.restore(get_settings(), file, force=force)
    except backups.BackupError as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"restored {file.name}: {sum(manifest.counts.values())} rows in {len(manifest.counts)} tables, "
               f"as in its manifest (schema revision {manifest.revision}); run `forum migrate` if the code is newer")


def check_ready_command(
    url: str = typer.Option("", "--url", help="Ask a running app (e.g. http://127.0.0.1:8000/readyz) instead."),
) -> None:
    """Exit 0 when the database (and Meilisearch, when configured) answer: for health checks."""
    if url:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # an admin-given URL  # noqa: S310  # nosec B310
                ok = response.status == 200
        except (urllib.error.URLError, OSError):
            ok = False
        raise typer.Exit(0 if ok else 1)
    from app.db import Database
    from app.ops.health import is_ready, readiness
    from app.search.service import configured_backend

    settings = get_settings()
    db = Database(settings)
    try:
        checks = readiness(settings, db, configured_backend(settings, db))
    finally:
        db.dispose()
    typer.echo(" ".join(f"{name}={state}" for name, state in checks.items()))
    if not is_ready(checks):
        sys.exit(1)
