"""JSON routes for research. Contract: `GET` and `PUT /api/v1/me/consent` with `{posts, diary}`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import AdminUser, CurrentUser
from app.db import SessionDep
from app.i18n import get_locale
from app.research import exports, permissions, projects, schemas, service
from app.research.models import Export, Project, ProjectMember
from app.settings import Settings, SettingsDep
from app.web.params import Id
from app.web.routing import api_router

router = api_router()


def _consent_out(state: service.ConsentState) -> schemas.ConsentOut:
    return schemas.ConsentOut(posts=state.posts, diary=state.diary, version=state.current_version,
                              posts_version=state.posts_version, diary_version=state.diary_version,
                              needs_answer=state.needs_answer, updated_at=state.updated_at)


@router.get("/me/consent", response_model=schemas.ConsentOut, name="api.research.consent")
def get_consent(session: SessionDep, viewer: CurrentUser) -> schemas.ConsentOut:
    return _consent_out(service.get_consent(session, user=viewer))


@router.put("/me/consent", response_model=schemas.ConsentOut, name="api.research.consent_put")
def put_consent(body: schemas.ConsentIn, session: SessionDep, viewer: CurrentUser) -> schemas.ConsentOut:
    return _consent_out(service.set_consent(session, user=viewer, posts=body.posts, diary=body.diary,
                                            lang=get_locale()))


@router.put("/research/posts/{post_id}/never-quote", status_code=204, name="api.research.never_quote")
def never_quote(post_id: Id, body: schemas.NeverQuoteIn, session: SessionDep, viewer: CurrentUser) -> None:
    service.set_never_quote(session, user=viewer, post_id=post_id, never=body.never_quote)


def _project_out(project: Project, membership: ProjectMember | None) -> schemas.ProjectOut:
    return schemas.ProjectOut(id=project.id, title=project.title, institution=project.institution,
                              ethics_ref=project.ethics_ref, status=project.status, expires_on=project.expires_on,
                              decision_reason=project.decision_reason,
                              can_export=permissions.can_export(project, membership))


@router.post("/research/projects", status_code=201, response_model=schemas.ProjectOut,
             name="api.research.apply")
def apply(body: schemas.ProjectIn, session: SessionDep, viewer: CurrentUser) -> schemas.ProjectOut:
    project = projects.apply(session, applicant=viewer, **body.model_dump())
    session.flush()
    return _project_out(project, projects.get_membership(session, project_id=project.id, user_id=viewer.id))


@router.get("/research/projects", response_model=list[schemas.ProjectOut], name="api.research.projects")
def my_projects(session: SessionDep, viewer: CurrentUser) -> list[schemas.ProjectOut]:
    found = projects.list_all_projects(session) if viewer.is_admin else projects.list_projects_of(session,
                                                                                                   user=viewer)
    return [_project_out(p, projects.get_membership(session, project_id=p.id, user_id=viewer.id)) for p in found]


@router.get("/research/projects/{project_id}", response_model=schemas.ProjectOut, name="api.research.project")
def project(project_id: Id, session: SessionDep, viewer: CurrentUser) -> schemas.ProjectOut:
    return _project_out(*permissions.access_project(session, viewer, project_id))


@router.post("/research/projects/{project_id}/approve", response_model=schemas.ProjectOut,
             name="api.research.approve")
def approve(project_id: Id, body: schemas.ApproveIn, session: SessionDep, admin: AdminUser) -> schemas.ProjectOut:
    found = projects.approve(session, project=projects.get_project(session, project_id), actor=admin,
                             expires_on=body.expires_on)
    return _project_out(found, projects.get_membership(session, project_id=found.id, user_id=admin.id))


@router.post("/research/projects/{project_id}/decline", response_model=schemas.ProjectOut,
             name="api.research.decline")
def decline(project_id: Id, body: schemas.DeclineIn, session: SessionDep, admin: AdminUser) -> schemas.ProjectOut:
    found = projects.decline(session, project=projects.get_project(session, project_id), actor=admin,
                             reason=body.reason)
    return _project_out(found, None)


def _export_out(request: Request, export: Export) -> schemas.ExportOut:
    ready = export.status == "ready"
    return schemas.ExportOut(
        id=export.id, project_id=export.project_id, status=export.status, format=export.format,
        percent=export.percent, progress_done=export.progress_done, progress_total=export.progress_total,
        created_at=export.created_at, finished_at=export.finished_at, expires_at=export.expires_at,
        counts=export.counts, sha256=export.sha256, error="failed" if export.error else "",
        download_url=str(request.app.url_path_for("api.research.download", export_id=export.id))
        if ready and export.file_name else None,
    )


@router.post("/research/projects/{project_id}/exports", status_code=202, response_model=schemas.ExportOut,
             name="api.research.export_create")
def create_export(request: Request, project_id: Id, body: schemas.ExportOptions, session: SessionDep,
                  settings: SettingsDep, viewer: CurrentUser) -> schemas.ExportOut:
    found, membership = permissions.access_project(session, viewer, project_id)
    export = exports.request_export(session, settings, project=found, membership=membership,
                                    user=viewer, options=body)
    return _export_out(request, export)


@router.get("/research/projects/{project_id}/exports", response_model=list[schemas.ExportOut],
            name="api.research.exports")
def list_exports(request: Request, project_id: Id, session: SessionDep, viewer: CurrentUser,
                 ) -> list[schemas.ExportOut]:
    found, _membership = permissions.access_project(session, viewer, project_id)
    return [_export_out(request, e) for e in exports.list_exports(session, project=found)]


@router.get("/research/exports/{export_id}", response_model=schemas.ExportOut, name="api.research.export")
def export_status(request: Request, export_id: Id, session: SessionDep, viewer: CurrentUser) -> schemas.ExportOut:
    return _export_out(request, permissions.access_export(session, viewer, export_id))


def download_response(session: Session, settings: Settings, viewer: User, export_id: int) -> FileResponse:
    export = permissions.access_export(session, viewer, export_id, for_download=True)
    path = exports.open_download(session, settings, viewer=viewer, export=export)
    return FileResponse(path, media_type="application/zip",
                        filename=f"trefle-klaver-research-{export.project_id}-{export.id}.zip")


@router.get("/research/exports/{export_id}/download", name="api.research.download",
            response_class=FileResponse)
def download(export_id: Id, session: SessionDep, settings: SettingsDep, viewer: CurrentUser) -> FileResponse:
    return download_response(session, settings, viewer, export_id)

