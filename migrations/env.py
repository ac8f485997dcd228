"""Alembic environment: the URL comes from the application's settings (or -x url=...)."""

from __future__ import annotations

from alembic import context

from app.db import UTCDateTime, make_engine
from app.models import metadata
from app.settings import Settings, get_settings

config = context.config


def _settings() -> Settings:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("database_url")
    return Settings(database_url=url) if url else get_settings()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations spell our UTCDateTime as the plain column type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The full-text index tables, and the search's own indexes on the forum's tables
    ("ix_search_forum_"), are managed by hand in their migrations, not by models."""
    if name is None:
        return True
    if type_ == "index":
        return not name.startswith("ix_search_forum_")
    return not (type_ == "table" and name.startswith(("search_fts", "search_documents")))


def _sqlite_foreign_keys(connection: object, on: bool) -> None:
    """SQLite rebuilds a table to alter it (batch mode): DROP TABLE of a table other rows point to
    fails while foreign keys are enforced, so a populated database could not be upgraded. Off for
    the migration (the PRAGMA only works outside a transaction), checked and back on afterwards."""
    raw = connection.connection.driver_connection  # type: ignore[attr-defined]
    if not on:
        raw.execute("PRAGMA foreign_keys=OFF")
        return
    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    raw.execute("PRAGMA foreign_keys=ON")
    if broken:
        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


def _run(connection: object) -> None:
    sqlite = connection.dialect.name == "sqlite"  # type: ignore[attr-defined]
    if sqlite and not connection.in_transaction():  # type: ignore[attr-defined]
        _sqlite_foreign_keys(connection, on=False)
        try:
            _configure_and_run(connection)
        finally:
            _sqlite_foreign_keys(connection, on=True)
        return
    _configure_and_run(connection)


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `forum migrate`")
run_migrations_online()
