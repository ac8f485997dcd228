"""Who may see a project, and who may make or download its exports.

Exports are made and downloaded only by the researchers of an approved,
unexpired project who accepted the current data-use terms; administrators see
projects (to decide on them) but download nothing unless they are members
(403: they may see the project, not take its data).

Anyone else, a researcher of another project included, gets 404 for a project
or export as if it did not exist: a 403 for existing ids and a 404 for the rest
would let an outsider count the projects and exports and watch them appear
(issue 9).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.errors import NotFound
from app.research import projects
from app.research.errors import NotProjectMember, ProjectNotActive, TermsNotAccepted
from app.research.models import Export, Project, ProjectMember


def access_project(session: Session, viewer: User, project_id: int) -> tuple[Project, ProjectMember | None]:
    project = projects.get_project(session, project_id)
    membership = projects.get_membership(session, project_id=project.id, user_id=viewer.id)
    if membership is None and not viewer.is_admin:
        raise NotFound()  # the same answer as for an id that does not exist
    return project, membership


def can_export(project: Project, membership: ProjectMember | None) -> bool:
    return project.is_active(projects.today()) and projects.has_current_terms(membership)


def check_export_rights(project: Project, membership: ProjectMember | None) -> None:
    if membership is None:
        raise NotProjectMember()
    if not project.is_active(projects.today()):
        raise ProjectNotActive()
    if not projects.has_current_terms(membership):
        raise TermsNotAccepted()


def access_export(session: Session, viewer: User, export_id: int, *, for_download: bool = False) -> Export:
    export = session.get(Export, export_id)
    if export is None:
        raise NotFound()
    project, membership = access_project(session, viewer, export.project_id)
    if for_download:
        check_export_rights(project, membership)
    return export
