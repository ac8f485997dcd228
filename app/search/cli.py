"""`forum search reindex|check` and `forum worker`."""

from __future__ import annotations

import contextlib

import typer
from sqlalchemy import func, select

from app.db import Database
from app.forum.models import Post
from app.search import documents, service, worker
from app.search.backend import SearchUnavailable
from app.search.models import ReindexState
from app.settings import get_settings

search_cli = typer.Typer(help="Search index maintenance.", no_args_is_help=True)


def _open(local: bool = False) -> tuple[Database, service.SearchBackend]:
    """The configured engine, or with `local` the database's own index (the fallback copy)."""
    settings = get_settings()
    db = Database(settings)
    return db, service.database_backend(db) if local else service.configured_backend(settings, db)


LOCAL = typer.Option(False, "--local", help="Work on the database's own index (Meilisearch's fallback copy).")


@search_cli.command()
def reindex(
    batch: int = typer.Option(1000, help="Posts per batch (one transaction each)."),
    restart: bool = typer.Option(False, "--restart", help="Ignore an interrupted run and start over."),
    local: bool = LOCAL,
) -> None:
    """Rebuild the index from the database, in batches; an interrupted run resumes where it stopped."""
    db, backend = _open(local)
    if hasattr(backend, "configure"):
        backend.configure()
    with db.session() as session:
        state = session.get(ReindexState, backend.name)
        if state is None or restart:
            backend.clear(session)
            state = state or ReindexState(backend=backend.name)
            state.last_post_id = 0
            session.add(state)
            session.commit()
        else:
            typer.echo(f"resuming after post {state.last_post_id}")
        remaining = session.scalar(select(func.count(Post.id)).where(Post.id > state.last_post_id)) or 0
    done = 0
    with typer.progressbar(length=remaining, label="indexing posts") as progress:
        while True:
            with db.session() as session:
                state = session.get(ReindexState, backend.name)
                assert state is not None
                batch_docs = documents.documents_after(session, state.last_post_id, batch)
                if not batch_docs:
                    session.delete(state)  # finished: the next run starts from scratch
                    session.commit()
                    break
                backend.upsert(session, batch_docs)
                last = batch_docs[-1].post_id
                skipped = session.scalar(
                    select(func.count(Post.id)).where(Post.id > state.last_post_id, Post.id <= last)
                ) or 0
                state.last_post_id = last
                session.commit()
            done += len(batch_docs)
            progress.update(skipped)
    if hasattr(backend, "wait"):
        backend.wait()
    typer.echo(f"{done} posts indexed with {backend.name}")
    db.dispose()


@search_cli.command()
def check(local: bool = LOCAL) -> None:
    """Report drift between the database and the index (exit code 1 when they differ)."""
    db, backend = _open(local)
    with db.session(write=False) as session:
        expected = documents.indexable_ids(session)
        indexed = backend.indexed_ids(session)
    missing, extra = expected - indexed, indexed - expected
    typer.echo(f"backend: {backend.name}")
    typer.echo(f"indexable posts: {len(expected)}; in the index: {len(indexed)}; outbox pending: {worker.pending(db)}")
    typer.echo(f"missing from the index: {len(missing)} {sorted(missing)[:10] if missing else ''}")
    typer.echo(f"in the index but should not be: {len(extra)} {sorted(extra)[:10] if extra else ''}")
    db.dispose()
    if missing or extra:
        raise typer.Exit(1)


def worker_command(
    once: bool = typer.Option(False, "--once", help="Apply what is pending, then stop."),
    interval: float = typer.Option(1.0, help="Seconds between polls when idle."),
) -> None:
    """Apply the search outbox to the index (run this beside the app in production)."""
    from app.logs import configure_logging

    configure_logging(get_settings())
    db, backend = _open()
    local = service.local_copy(db, backend)
    if hasattr(backend, "configure"):  # an index created by a first add_documents would lack its settings
        try:
            backend.configure()
        except SearchUnavailable as exc:
            typer.echo(f"{backend.name} is not answering ({exc}); the outbox waits for it", err=True)
    if once:
        typer.echo(f"{worker.drain(db, backend, local=local)} outbox entries applied")
        return
    typer.echo(f"indexing with {backend.name}" + (f" (and {local.name} as its fallback)" if local else "")
               + "; Ctrl-C to stop")
    with contextlib.suppress(KeyboardInterrupt):
        worker.run_forever(db, backend, local=local, interval=interval)
