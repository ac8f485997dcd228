"""The `forum` command: serve, migrate, seed, and the domain sub-commands."""

from __future__ import annotations

import importlib.util
import inspect
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import typer

from app import wiring
from app.settings import Settings, get_settings

cli = typer.Typer(help="Trèfle · Klaver: run and manage the forum.", no_args_is_help=True)
ROOT = Path(__file__).resolve().parent.parent
BENCH_CORPUS = ROOT / "bench" / "corpus.py"
#: Seconds uvicorn waits for a worker to answer its health ping before killing it (see `serve`).
WORKER_HEALTHCHECK_SECONDS = 60


@cli.callback()
def _connect() -> None:
    """Every command writes as the app does: the domains' listeners are connected first."""
    wiring.connect()
    import moderation

    moderation.use_model_dir(get_settings().moderation_model_dir)


def _bench_corpus() -> ModuleType:
    """The benchmark corpus generator, which lives in bench/ of a source checkout, not in the app."""
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH_CORPUS)
    if spec is None or spec.loader is None or not BENCH_CORPUS.exists():
        raise typer.BadParameter(f"--scale needs a source checkout ({BENCH_CORPUS} is missing)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def alembic_config(database_url: str | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def migrate_database(database_url: str | None = None) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


@cli.command()
def migrate() -> None:
    """Apply every database migration (alembic upgrade head)."""
    migrate_database()
    typer.echo("database is up to date")


@cli.command()
def seed(
    demo: bool = typer.Option(False, "--demo", help="Add FR/NL demo members, threads and posts."),
    scale: int = typer.Option(0, "--scale", help="Generate this many posts for benchmarks."),
) -> None:
    """Seed the default categories (and, on request, demo or benchmark content)."""
    from app.db import Database
    from app.forum.seed import seed_categories
    from app.review.canned import seed_canned_replies

    settings = get_settings()
    db = Database(settings)
    with db.session() as session:
        categories = seed_categories(session)
        replies = seed_canned_replies(session)
        session.commit()
    typer.echo(f"{len(categories)} categories in place; {replies} canned replies added")
    if demo:
        from app.forum.demo import seed_demo

        with db.session() as session:
            created = seed_demo(session, settings)
            session.commit()
        typer.echo(f"demo content: {created}")
    if scale:
        _bench_corpus().seed_scale(db, settings, scale)
    db.dispose()


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the forum. uvicorn's access log is off (it records addresses); the app logs one
    address-free JSON line per request instead."""
    import uvicorn

    from app.logs import logging_config

    settings = get_settings()
    if workers > 1:
        prepare_multiprocess_metrics(settings)
    extra: dict[str, Any] = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.run).parameters:
        # A worker importing the app on a loaded machine can miss uvicorn's 5 s health ping and be
        # killed and restarted forever; give it as long as a slow start takes.
        extra["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK_SECONDS
    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=workers, reload=reload,
        access_log=False, proxy_headers=False, server_header=False, log_config=logging_config(settings), **extra,
    )


def prepare_multiprocess_metrics(settings: Settings) -> Path:
    """Several workers share their metrics through files (prometheus_client's multi-process mode).

    Set before any worker imports prometheus_client; emptied at start, since the
    files of a previous run's workers would otherwise be summed in forever.
    """
    path = settings.resolved_multiproc_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


@cli.command("create-admin")
def create_admin(pseudonym: str, role: str = typer.Option("admin", help="admin or moderator")) -> None:
    """Give an existing member the admin (or moderator) role (kept for scripts: `forum users grant` does more)."""
    from app.review.cli import grant

    grant(pseudonym, role, languages="", reason="forum create-admin")


@cli.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Do what is pending, then stop."),
    interval: float = typer.Option(1.0, help="Seconds between polls when idle."),
) -> None:
    """Apply the search outbox and fan out large notifications (run this beside the app in production)."""
    import threading

    from app.db import Database
    from app.logs import configure_logging
    from app.notifications import fanout
    from app.search.cli import worker_command

    settings = get_settings()
    configure_logging(settings)  # before the fan-out thread logs anything
    db = Database(settings)
    if once:
        typer.echo(f"{fanout.drain(db)} notification fan-outs done")
        worker_command(once=True, interval=interval)
        return
    threading.Thread(target=fanout.run_forever, args=(db,), kwargs={"interval": interval},
                     name="notifications-fanout", daemon=True).start()
    worker_command(once=False, interval=interval)


def _register_domain_commands() -> None:
    from app.ops.cli import backup_command, check_ready_command, restore_command
    from app.research.cli import research_cli
    from app.review.cli import users_cli
    from app.review.retrain import moderation_cli
    from app.search.cli import search_cli

    cli.add_typer(search_cli, name="search")
    cli.add_typer(research_cli, name="research")
    cli.add_typer(users_cli, name="users")
    cli.add_typer(moderation_cli, name="moderation")
    cli.command("backup")(backup_command)
    cli.command("restore")(restore_command)
    cli.command("check-ready")(check_ready_command)


_register_domain_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
