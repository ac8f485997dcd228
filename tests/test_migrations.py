"""The migrations build the models' schema exactly: `alembic check` on a freshly migrated database.

CI runs only the test suite, so the drift check lives here, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from app.cli import alembic_config


def test_one_head() -> None:
    """Parallel branches re-point their first revision after a rebase (see the brief): one head only."""
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_models_and_migrations_agree(database_url: str) -> None:
    # The database_url fixture is a copy of a database migrated to head; check raises on any difference.
    command.check(alembic_config(database_url))


def test_a_populated_sqlite_database_upgrades(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite rebuilds tables to alter them: with rows pointing at a rebuilt table, the upgrade once
    failed with "FOREIGN KEY constraint failed" (foreign keys are off during migrations, then checked)."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "review0001")  # before forum_categories is rebuilt
    with sqlite3.connect(tmp_path / "old.sqlite3") as old:
        old.execute("INSERT INTO forum_categories (slug, position, visibility, clover, premoderate_newcomers, "
                    "name_fr, name_nl, name_en, description_fr, description_nl, description_en) "
                    "VALUES ('x', 0, 'public', '', 0, 'a', 'b', 'c', '', '', '')")
        old.execute("INSERT INTO forum_threads (category_id, title, lang, status, pinned, locked, post_count, "
                    "last_post_at, created_at) SELECT id, 't', 'fr', 'published', 0, 0, 0, '2026-01-01', "
                    "'2026-01-01' FROM forum_categories")
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(tmp_path / "old.sqlite3") as upgraded:
        assert upgraded.execute("SELECT count(*) FROM forum_threads").fetchone() == (1,)
        assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []
