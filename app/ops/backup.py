"""`forum backup` and `forum restore`: a consistent copy of a running forum, and its way back.

SQLite: the online backup API copies the live file in one step under a read
transaction; in WAL mode writers go on meanwhile and the copy is one consistent
moment. PostgreSQL: pg_dump's custom format, taken in a snapshot exported by a
repeatable-read transaction that also counts the rows, so the manifest's counts
are those of the dump, to the row.

Every backup has a manifest beside it (JSON): format, checksum (SHA-256), size,
schema revision and row counts per table. `restore` checks the checksum before
touching anything, refuses a database that holds data unless forced, and
compares the restored counts with the manifest.

Backups hold health data: files are written 0600 in a 0700 folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.settings import Settings

NAME = re.compile(r"forum-(\d{8}T\d{6}Z)(?:-(\d+))?\.(sqlite3|pgdump)$")
SKIPPED_TABLES = frozenset({"alembic_version"})  # not "data": present in a freshly migrated database


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, for an administrator."""


@dataclass
class Manifest:
    format: str  # "sqlite" or "postgresql-custom"
    file: str
    created_at: str
    sha256: str
    bytes: int
    revision: str | None
    counts: dict[str, int]
    app_version: str = field(default_factory=lambda: _app_version())

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        tmp.chmod(0o600)
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise BackupError(f"cannot read the manifest {path}: {exc}") from exc


def _app_version() -> str:
    try:
        return metadata.version("trefle-klaver")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_suffix(".json")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target_name(out_dir: Path, suffix: str, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    path, n = out_dir / f"forum-{stamp}.{suffix}", 1
    while path.exists() or manifest_path(path).exists():
        path, n = out_dir / f"forum-{stamp}-{n}.{suffix}", n + 1
    return path


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"  # as_uri escapes "?" and "#" in the path


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    counts = {}
    for name in names:  # from SQLite's own catalog, quoted as an identifier; no value of anyone's
        identifier = '"' + name.replace('"', '""') + '"'
        counts[name] = conn.execute(f"SELECT count(*) FROM {identifier}").fetchone()[0]  # noqa: S608  # nosec B608
    return counts


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _backup_sqlite(source: Path, target: Path) -> tuple[dict[str, int], str | None]:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    tmp = target.with_name(target.name + ".tmp")
    src = sqlite3.connect(_read_only(source), uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # all pages in one step: one consistent moment, writers not blocked (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts, revision = _sqlite_counts(dst), _sqlite_revision(dst)
    finally:
        dst.close()
        src.close()
    tmp.chmod(0o600)
    _fsync(tmp)
    tmp.replace(target)
    return counts, revision


def _sqlite_has_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    conn = sqlite3.connect(_read_only(path), uri=True, timeout=30)
    try:
        return any(n for name, n in _sqlite_counts(conn).items() if name not in SKIPPED_TABLES)
    finally:
        conn.close()


def _restore_sqlite(backup_file: Path, target: Path) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(_read_only(backup_file), uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # replaces every page of the target, through SQLite (its WAL included)
        dst.execute("PRAGMA journal_mode=WAL")
        return _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_params(database_url: str) -> dict[str, Any]:
    url = make_url(database_url)
    params: dict[str, Any] = {"host": url.host, "port": url.port, "user": url.username,
                              "password": url.password, "dbname": url.database}
    params.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    return {k: v for k, v in params.items() if v not in (None, "")}


def _pg_connect(database_url: str) -> Any:
    import psycopg

    try:
        # autocommit: transactions are opened explicitly below, with the isolation they need.
        return psycopg.connect(**_pg_params(database_url), connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to PostgreSQL: {exc}") from exc


def _pg_tool(tool: str, database_url: str, args: list[str]) -> None:
    """Run pg_dump or pg_restore; the password goes through the environment, never the command line."""
    from psycopg.conninfo import make_conninfo

    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt install postgresql-client)")
    params = _pg_params(database_url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    result = subprocess.run([tool, f"--dbname={make_conninfo(**params)}", *args], env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for name in _pg_tables(cursor):
        from psycopg import sql

        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", name)))
        counts[name] = cursor.fetchone()[0]
    return counts


def _pg_revision(cursor: Any, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    cursor.execute("SELECT version_num FROM alembic_version")
    row = cursor.fetchone()
    return row[0] if row else None


def _backup_postgres(database_url: str, target: Path) -> tuple[dict[str, int], str | None]:
    tmp = target.with_name(target.name + ".tmp")
    conn = _pg_connect(database_url)
    try:
        with conn.cursor() as cursor:
            # The counts and the dump read the same snapshot, so they agree to the row.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            revision = _pg_revision(cursor, counts)
            old_umask = os.umask(0o077)
            try:
                _pg_tool("pg_dump", database_url, ["--format=custom", f"--snapshot={snapshot}", f"--file={tmp}"])
            finally:
                os.umask(old_umask)
            cursor.execute("ROLLBACK")
    finally:
        conn.close()
    tmp.chmod(0o600)
    _fsync(tmp)
    tmp.replace(target)
    return counts, revision


def _pg_has_data(database_url: str) -> tuple[bool, bool]:
    """(has tables, has rows outside alembic_version)."""
    conn = _pg_connect(database_url)
    try:
        with conn.cursor() as cursor:
            counts = _pg_counts(cursor)
        return bool(counts), any(n for name, n in counts.items() if name not in SKIPPED_TABLES)
    finally:
        conn.close()


def _pg_clear(database_url: str) -> None:
    """Empty the public schema (restore --force), so the dump lands on a clean slate."""
    conn = _pg_connect(database_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            cursor.execute("COMMIT")
    finally:
        conn.close()


def _restore_postgres(backup_file: Path, database_url: str, has_tables: bool) -> dict[str, int]:
    if has_tables:
        _pg_clear(database_url)
    _pg_tool("pg_restore", database_url, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                          str(backup_file)])
    conn = _pg_connect(database_url)
    try:
        with conn.cursor() as cursor:
            return _pg_counts(cursor)
    finally:
        conn.close()


# --- the two commands ------------------------------------------------------------------------


def backup(settings: Settings, out_dir: Path | None = None, *, keep: int | None = None) -> tuple[Path, Manifest]:
    """Back up the configured database into out_dir; with keep, remove all but the newest `keep`."""
    out_dir = out_dir or settings.resolved_backup_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a folder we do not own keeps its mode
        out_dir.chmod(0o700)
    now = dt.datetime.now(dt.UTC)
    if settings.is_sqlite:
        target = _target_name(out_dir, "sqlite3", now)
        counts, revision = _backup_sqlite(sqlite_path(settings.database_url), target)
        kind = "sqlite"
    else:
        target = _target_name(out_dir, "pgdump", now)
        counts, revision = _backup_postgres(settings.database_url, target)
        kind = "postgresql-custom"
    manifest = Manifest(format=kind, file=target.name, created_at=now.isoformat(timespec="seconds"),
                        sha256=sha256_of(target), bytes=target.stat().st_size, revision=revision, counts=counts)
    manifest.write(manifest_path(target))
    if keep is not None:
        rotate(out_dir, keep)
    return target, manifest


def list_backups(out_dir: Path) -> list[Path]:
    """This tool's backups in out_dir (never any other file), oldest first."""
    found = [p for p in out_dir.iterdir() if NAME.fullmatch(p.name)]

    def key(path: Path) -> tuple[str, int]:
        match = NAME.fullmatch(path.name)
        assert match is not None
        return match.group(1), int(match.group(2) or 0)

    return sorted(found, key=key)


def rotate(out_dir: Path, keep: int) -> list[Path]:
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    removed = []
    for old in list_backups(out_dir)[:-keep]:
        old.unlink()
        manifest_path(old).unlink(missing_ok=True)
        removed.append(old)
    return removed


def verify(backup_file: Path) -> Manifest:
    """The backup's manifest, once its checksum matches; BackupError otherwise."""
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    manifest = Manifest.read(manifest_path(backup_file))
    if sha256_of(backup_file) != manifest.sha256:
        raise BackupError(f"{backup_file.name} does not match its manifest's checksum: the file is damaged")
    return manifest


def restore(settings: Settings, backup_file: Path, *, force: bool = False) -> Manifest:
    """Restore backup_file into the configured database; refuses one that holds data unless forced."""
    manifest = verify(backup_file)
    if settings.is_sqlite != (manifest.format == "sqlite"):
        raise BackupError(f"this is a {manifest.format} backup; the configured database is "
                          f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'}")
    if settings.is_sqlite:
        target = sqlite_path(settings.database_url)
        if _sqlite_has_data(target) and not force:
            raise BackupError(f"{target} already holds data; stop the forum and add --force to replace it")
        counts = _restore_sqlite(backup_file, target)
    else:
        has_tables, has_rows = _pg_has_data(settings.database_url)
        if has_rows and not force:
            raise BackupError("the database already holds data; stop the forum and add --force to replace it")
        counts = _restore_postgres(backup_file, settings.database_url, has_tables)
    if counts != manifest.counts:
        differing = sorted(k for k in set(counts) | set(manifest.counts) if counts.get(k) != manifest.counts.get(k))
        raise BackupError(f"restored row counts differ from the manifest for: {', '.join(differing)}")
    return manifest
