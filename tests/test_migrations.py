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
