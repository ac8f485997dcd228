"""Backups of a running forum, restored into a fresh database, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli as cli_module
from app.db import Database
from app.forum.models import Post
from app.ops import backup as backups
from app.ops import cli as ops_cli
from app.settings import Settings
from tests.factories import make_category, make_thread, make_user
from tests.served import ServedApp, assert_logs_private, log_in, member_with_category


def _posts(database: Database) -> dict[int, str]:
    with Session(database.engine) as session:
        return {p.id: p.body_md for p in session.scalars(select(Post))}


def _restored(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"database_url": url})


@pytest.mark.slow
def test_backup_of_a_running_forum_restores_into_a_fresh_database(
        settings: Settings, db: Database, empty_database_url: str, tmp_path: Path) -> None:
    member_with_category(db, "Sauvegarde", "tapering-now")
    # The writer posts far past the hourly limit on a slow machine: raise it, or a 429 ends the writing mid-backup.
    app = ServedApp(settings, tmp_path, FORUM_TRUST__POSTS_PER_HOUR="1000")
    app.start()
    acknowledged: list[tuple[float, int, str]] = []  # (when the 201 arrived, post id, body)
    stop = threading.Event()

    def writer() -> None:
        with app.client() as client:
            token = log_in(client, "Sauvegarde")
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                body = f"note de sauvegarde {n} zx{n:05d}q"
                response = client.post("/api/v1/categories/tapering-now/threads",
                                       json={"title": f"Fil {n}", "body": body, "lang": "fr"},
                                       headers={"X-CSRF-Token": token})
                assert response.status_code == 201, response.text
                acknowledged.append((time.monotonic(), response.json()["first_post_id"], body))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(acknowledged) < 15 and thread.is_alive():
            time.sleep(0.02)
        started = time.monotonic()
        path, manifest = backups.backup(settings, tmp_path / "backups")  # while the writer goes on
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(30)
        app.stop()
    assert len(acknowledged) > 15
    assert path.stat().st_mode & 0o777 == 0o600
    assert backups.manifest_path(path).exists() and manifest.sha256 == backups.sha256_of(path)

    restored_settings = _restored(settings, empty_database_url)
    assert backups.restore(restored_settings, path).counts == manifest.counts
    restored = Database(restored_settings)
    try:
        in_backup = _posts(restored)
    finally:
        restored.dispose()
    source = _posts(db)
    assert manifest.counts["forum_posts"] == len(in_backup)
    # Everything acknowledged before the backup began is in it, word for word; the
    # backup is one moment: a prefix of what the running forum wrote, nothing invented.
    before = [(post_id, body) for when, post_id, body in acknowledged if when < started]
    assert before and all(in_backup.get(post_id) == body for post_id, body in before)
    assert all(source[post_id] == body for post_id, body in in_backup.items())
    assert set(in_backup) == {i for i in source if i <= max(in_backup)}
    assert_logs_private(app.logs(), "Sauvegarde", "note de sauvegarde")


def test_restore_refuses_a_database_with_data_unless_forced(
        settings: Settings, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(db.engine) as session:
        author = make_user(session)
        make_thread(session, category=make_category(session), author=author, body="avant la sauvegarde")
        session.commit()
    monkeypatch.setattr(ops_cli, "get_settings", lambda: settings)
    runner = CliRunner()
    result = runner.invoke(cli_module.cli, ["backup", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    path = backups.list_backups(tmp_path / "b")[-1]
    with Session(db.engine) as session:
        author = make_user(session)
        make_thread(session, category=make_category(session), author=author, body="après la sauvegarde")
        session.commit()

    refused = runner.invoke(cli_module.cli, ["restore", str(path)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert "après la sauvegarde" in _posts(db).values()  # untouched

    db.dispose()  # as the administrator stops the forum before restoring
    forced = runner.invoke(cli_module.cli, ["restore", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert sorted(_posts(db).values()) == ["avant la sauvegarde"]


def test_a_damaged_backup_is_refused_before_anything_is_touched(settings: Settings, db: Database,
                                                                  empty_database_url: str, tmp_path: Path) -> None:
    path, _manifest = backups.backup(settings, tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(backups.BackupError, match="checksum"):
        backups.restore(_restored(settings, empty_database_url), path)


def test_keep_rotates_only_this_tools_backups(settings: Settings, db: Database, tmp_path: Path) -> None:
    out = tmp_path / "rotating"
    out.mkdir()
    (out / "notes.txt").write_text("an administrator's own file")
    made = [backups.backup(settings, out, keep=2)[0] for _ in range(3)]
    assert backups.list_backups(out) == made[1:]
    assert not backups.manifest_path(made[0]).exists()
    assert (out / "notes.txt").exists()


def test_a_backup_of_the_other_kind_is_refused(settings: Settings, db: Database, tmp_path: Path) -> None:
    path, _manifest = backups.backup(settings, tmp_path)
    other = "postgresql://nobody@127.0.0.1:9/none" if settings.is_sqlite else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(backups.BackupError, match="backup; the configured database is"):
        backups.restore(_restored(settings, other), path)
