"""Export jobs: requested by a project's researcher, built in the background, downloadable for
7 days, then deleted. Every step is written to the audit log.

The job table is the queue: a worker claims the oldest queued export (on
PostgreSQL with SKIP LOCKED; on SQLite every writer's BEGIN IMMEDIATE
serialises the claims), touches a heartbeat while it runs, and a running job
whose heartbeat stopped (a killed worker) is taken over.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import Database, after_commit, utcnow
from app.research import permissions
from app.research.anonymise import nlp
from app.research.anonymise.core import Anonymiser, MemberNames
from app.research.builder import Builder
from app.research.errors import AnonymiserMissing, ExportExpired, ExportNotReady
from app.research.models import Export, ExportStatus, Project, ProjectMember
from app.research.schemas import ExportOptions
from app.review import service as review
from app.settings import Settings

log = logging.getLogger("forum.research")
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 2.0


def anonymiser_factory(settings: Settings) -> Callable[[MemberNames], Anonymiser]:
    """The configured anonymiser; AnonymiserMissing when it needs models that are not installed."""
    if settings.research.anonymiser == "rules":
        return lambda members: Anonymiser(members, use_nlp=False)
    if not nlp.status().ready:
        raise AnonymiserMissing()
    return lambda members: Anonymiser(members, use_nlp=True)


def anonymiser_ready(settings: Settings) -> bool:
    return settings.research.anonymiser == "rules" or nlp.status().ready


def _summary(options: ExportOptions) -> str:
    parts = [options.format, f"dates={options.dates}", f"diary={options.diary}"]
    if options.categories:
        parts.append("categories=" + ",".join(options.categories))
    if options.langs:
        parts.append("langs=" + ",".join(options.langs))
    if options.since or options.until:
        parts.append(f"from={options.since or ''} to={options.until or ''}")
    return " ".join(parts)


def request_export(session: Session, settings: Settings, *, project: Project, membership: ProjectMember | None,
                   user: User, options: ExportOptions) -> Export:
    permissions.check_export_rights(project, membership)
    anonymiser_factory(settings)  # refuse now, not in the worker, when the models are missing
    export = Export(project_id=project.id, requested_by_id=user.id, format=options.format,
                    options=options.model_dump(mode="json"), status=ExportStatus.queued, created_at=utcnow())
    session.add(export)
    session.flush()
    review.audit(session, actor=user, action="research_export_requested", target_type="research_export",
                 target_id=export.id, reason=f"project {project.id}: {_summary(options)}")
    db: Database | None = session.info.get("db")
    if db is not None:
        after_commit(session, lambda: start_worker(db, settings), key="research-export-worker")
    return export


def start_worker(db: Database, settings: Settings) -> None:
    mode = settings.research.worker
    if mode == "inline":
        drain(db, settings)
    elif mode == "subprocess":
        # A separate process: the models take ~2 GB and 15 s to load, which a web worker must not carry.
        env = {**os.environ, "FORUM_DATABASE_URL": settings.database_url, "FORUM_DATA_DIR": str(settings.data_dir),
               "FORUM_RESEARCH__EXPORT_DIR": str(settings.research_export_dir)}
        subprocess.Popen([sys.executable, "-m", "app.cli", "research", "worker", "--once"], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)


def claim_next(db: Database) -> int | None:
    with db.session() as session:
        query = (select(Export).where(or_(
            Export.status == ExportStatus.queued,
            (Export.status == ExportStatus.running) & (Export.heartbeat_at < utcnow() - STALE_AFTER),
        )).order_by(Export.id).limit(1))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        export = session.scalar(query)
        if export is None:
            return None
        export.status = ExportStatus.running
        export.started_at = export.heartbeat_at = utcnow()
        export.progress_done = 0
        session.commit()
        return export.id


def _progress_recorder(db: Database, export_id: int) -> Callable[[int, int], None]:
    last = 0.0

    def record(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY_SECONDS and done < total:
            return
        last = now
        with db.session() as session:
            export = session.get(Export, export_id)
            if export is not None:
                export.progress_done, export.progress_total, export.heartbeat_at = done, total, utcnow()
                session.commit()

    return record


def run_export(db: Database, settings: Settings, export_id: int) -> None:
    """Build one claimed export into the store; record the result or the failure."""
    with db.session(write=False) as session:
        export = session.get(Export, export_id)
        assert export is not None
        project = session.get(Project, export.project_id)
        options = ExportOptions(**export.options)
        title = project.title if project else ""
    store = settings.research_export_dir
    store.mkdir(parents=True, exist_ok=True)
    file_name = f"export-{export_id}-{secrets.token_urlsafe(12)}.zip"
    try:
        with db.session(write=False) as reader:
            builder = Builder(reader, options, anonymiser_factory(settings), project_title=title)
            result = builder.build(store / file_name, export_id=export_id,
                                   progress=_progress_recorder(db, export_id))
    except Exception as exc:
        log.exception("research export %s failed", export_id)
        (store / file_name).unlink(missing_ok=True)
        with db.session() as session:
            export = session.get(Export, export_id)
            assert export is not None
            export.status, export.finished_at = ExportStatus.failed, utcnow()
            export.error = f"{type(exc).__name__}: {exc}"[:1000]
            review.audit(session, actor=None, action="research_export_failed", target_type="research_export",
                         target_id=export_id, reason=type(exc).__name__)
            session.commit()
        return
    with db.session() as session:
        export = session.get(Export, export_id)
        assert export is not None
        now = utcnow()
        export.status, export.finished_at = ExportStatus.ready, now
        export.expires_at = now + dt.timedelta(days=settings.research.download_days)
        export.file_name, export.size_bytes, export.sha256 = file_name, result.size, result.sha256
        export.progress_done = export.progress_total = result.counts.get("posts", 0)
        export.counts = {**dict(result.counts), "anonymiser": result.anonymiser,
                         "consent_versions": {k: {str(v): n for v, n in c.items()}
                                              for k, c in result.consent_versions.items()}}
        review.audit(session, actor=None, action="research_export_ready", target_type="research_export",
                     target_id=export_id, reason=f"sha256 {result.sha256}")
        session.commit()


def drain(db: Database, settings: Settings) -> int:
    """Build every queued export, then delete expired ones; returns how many were built."""
    built = 0
    while (export_id := claim_next(db)) is not None:
        run_export(db, settings, export_id)
        built += 1
    purge_expired(db, settings)
    return built


def purge_expired(db: Database, settings: Settings) -> int:
    """Delete the files of exports past their download period and mark them expired."""
    with db.session() as session:
        count = purge_expired_exports(session, settings)
        session.commit()
    return count


def purge_expired_exports(session: Session, settings: Settings) -> int:
    """The same in the caller's transaction (app housekeeping). A file deleted before a failed
    commit is harmless: downloads check that the file exists."""
    expired = list(session.scalars(
        select(Export).where(Export.status == ExportStatus.ready, Export.expires_at < utcnow())
    ))
    for export in expired:
        if export.file_name:
            (settings.research_export_dir / export.file_name).unlink(missing_ok=True)
        export.status = ExportStatus.expired
        review.audit(session, actor=None, action="research_export_deleted", target_type="research_export",
                     target_id=export.id, reason="download period over")
    return len(expired)


def open_download(session: Session, settings: Settings, *, viewer: User, export: Export) -> Path:
    """The file to send; the download is written to the audit log."""
    if export.status == ExportStatus.expired or (export.expires_at is not None and export.expires_at < utcnow()):
        raise ExportExpired()
    if export.status != ExportStatus.ready or not export.file_name:
        raise ExportNotReady()
    path = settings.research_export_dir / export.file_name
    if not path.exists():
        raise ExportExpired()
    review.audit(session, actor=viewer, action="research_export_downloaded", target_type="research_export",
                 target_id=export.id)
    return path


def list_exports(session: Session, *, project: Project) -> list[Export]:
    return list(session.scalars(
        select(Export).where(Export.project_id == project.id).order_by(Export.created_at.desc(), Export.id.desc())
    ))


def export_from_cli(db: Database, settings: Settings, *, project_id: int, options: ExportOptions, out: Path,
                    progress: Callable[[int, int], None] | None = None) -> Export:
    """`forum research export`: the same build, written to `out`, recorded and audited like the others."""
    with db.session() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise LookupError(f"no project {project_id}")
        if not project.is_active(utcnow().date()):
            raise PermissionError(f"project {project_id} is not approved or its approval has expired")
        factory = anonymiser_factory(settings)
        export = Export(project_id=project.id, format=options.format, options=options.model_dump(mode="json"),
                        status=ExportStatus.running, started_at=utcnow(), heartbeat_at=utcnow(), created_at=utcnow())
        session.add(export)
        session.flush()
        review.audit(session, actor=None, action="research_export_cli", target_type="research_export",
                     target_id=export.id, reason=f"project {project.id}: {_summary(options)} -> {out.name}")
        session.commit()
        export_id, title = export.id, project.title
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with db.session(write=False) as reader:
        result = Builder(reader, options, factory, project_title=title).build(out, export_id=export_id,
                                                                              progress=progress)
    with db.session() as session:
        done = session.get(Export, export_id)
        assert done is not None
        done.status, done.finished_at = ExportStatus.ready, utcnow()
        done.size_bytes, done.sha256 = result.size, result.sha256
        done.progress_done = done.progress_total = result.counts.get("posts", 0)
        done.counts = {**dict(result.counts), "anonymiser": result.anonymiser}
        session.commit()
        session.refresh(done)
        session.expunge(done)
    return done
