"""Research projects: a researcher applies, an administrator approves (with an expiry date) or
declines with a reason; the lead adds colleagues, who each accept the data-use terms.

Every decision goes to the audit log (``review.audit``, the log that exists today).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n_markers import N_
from app.plain_text import refuse_bidi_overrides, strip_controls
from app.research import texts
from app.research.models import Project, ProjectMember, ProjectRole, ProjectStatus
from app.review import service as review

LIMITS = {"title": 200, "institution": 200, "ethics_ref": 120, "purpose": 5000, "data_requested": 5000,
          "retention": 1000}
APPROVAL_MAX_DAYS = 5 * 366


def today() -> dt.date:
    return utcnow().date()


def _clean(field: str, value: str, *, required: bool = True) -> str:
    value = strip_controls(value)  # NUL and other controls: invisible, and PostgreSQL refuses NUL
    refuse_bidi_overrides(value, field=field)  # shown to administrators and in every export's datasheet
    value = " ".join(value.split()) if field in ("title", "institution", "ethics_ref") else value.strip()
    if required and not value:
        raise ValidationFailed(N_("This field is required."), field=field)
    if len(value) > LIMITS[field]:
        raise ValidationFailed(N_("Too long: %(max)s characters at most."), field=field, max=LIMITS[field])
    return value


def _expiry(expires: dt.date | None) -> dt.date:
    if expires is None:
        raise ValidationFailed(N_("Give the date the approval ends."), field="expires_on")
    if expires < today():
        raise ValidationFailed(N_("The end of the approval must be today or later."), field="expires_on")
    if expires > today() + dt.timedelta(days=APPROVAL_MAX_DAYS):
        # Access to members' words is time-limited (GDPR storage limitation): approve again to extend.
        raise ValidationFailed(N_("An approval lasts at most five years; approve the project again to extend it."),
                               field="expires_on")
    return expires


def apply(session: Session, *, applicant: User | None, title: str, institution: str, purpose: str,
          ethics_ref: str, data_requested: str, retention: str, accept_terms: bool) -> Project:
    """A researcher's application; `applicant` None is an administrator's script (CLI)."""
    if applicant is not None and not accept_terms:
        raise ValidationFailed(N_("The data-use terms must be accepted to apply."), field="accept_terms")
    terms = texts.current("terms").version
    project = Project(
        title=_clean("title", title), institution=_clean("institution", institution),
        purpose=_clean("purpose", purpose, required=applicant is not None),
        ethics_ref=_clean("ethics_ref", ethics_ref),
        data_requested=_clean("data_requested", data_requested, required=applicant is not None),
        retention=_clean("retention", retention, required=applicant is not None),
        terms_version=terms if accept_terms else None, status=ProjectStatus.pending, applicant_id=applicant.id
        if applicant else None, created_at=utcnow(),
    )
    session.add(project)
    session.flush()
    if applicant is not None:
        session.add(ProjectMember(project_id=project.id, user_id=applicant.id, role=ProjectRole.lead,
                                  terms_version=terms, terms_accepted_at=utcnow(), created_at=utcnow()))
    review.audit(session, actor=applicant, action="research_project_applied", target_type="research_project",
                 target_id=project.id, reason=project.title)
    return project


def approve(session: Session, *, project: Project, actor: User | None, expires_on: dt.date | None) -> Project:
    project.expires_on = _expiry(expires_on)
    project.status = ProjectStatus.approved
    project.decided_at = utcnow()
    project.decided_by_id = actor.id if actor else None
    project.decision_reason = ""
    review.audit(session, actor=actor, action="research_project_approved", target_type="research_project",
                 target_id=project.id, reason=f"until {project.expires_on.isoformat()}")
    return project


def decline(session: Session, *, project: Project, actor: User, reason: str) -> Project:
    reason = refuse_bidi_overrides(strip_controls(reason).strip(), field="reason")
    if not reason:
        raise ValidationFailed(N_("Give the applicant a reason."), field="reason")
    project.status = ProjectStatus.declined
    project.decided_at = utcnow()
    project.decided_by_id = actor.id
    project.decision_reason = reason[:2000]
    review.audit(session, actor=actor, action="research_project_declined", target_type="research_project",
                 target_id=project.id, reason=project.decision_reason)
    return project


def add_member(session: Session, *, project: Project, actor: User | None, pseudonym: str,
               role: ProjectRole = ProjectRole.member) -> ProjectMember:
    user = accounts.get_user_by_pseudonym(session, pseudonym)
    if user is None:
        raise ValidationFailed(N_("No member has this pseudonym."), field="pseudonym")
    member = ProjectMember(project_id=project.id, user_id=user.id, role=role, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError as exc:
        raise Conflict(N_("This member is already in the project.")) from exc
    review.audit(session, actor=actor, action="research_member_added", target_type="research_project",
                 target_id=project.id, reason=user.pseudonym)
    return member


def accept_terms(session: Session, *, membership: ProjectMember) -> None:
    membership.terms_version = texts.current("terms").version
    membership.terms_accepted_at = utcnow()


def get_membership(session: Session, *, project_id: int, user_id: int) -> ProjectMember | None:
    return session.scalar(select(ProjectMember).where(ProjectMember.project_id == project_id,
                                                      ProjectMember.user_id == user_id))


def has_current_terms(membership: ProjectMember | None) -> bool:
    return membership is not None and membership.terms_version == texts.current("terms").version


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound()
    return project


def list_members(session: Session, *, project: Project) -> list[ProjectMember]:
    return list(session.scalars(
        select(ProjectMember).options(joinedload(ProjectMember.user))
        .where(ProjectMember.project_id == project.id).order_by(ProjectMember.created_at)
    ))


def list_projects_of(session: Session, *, user: User) -> list[Project]:
    return list(session.scalars(
        select(Project).join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user.id).order_by(Project.created_at.desc())
    ))


def list_all_projects(session: Session) -> list[Project]:
    return list(session.scalars(
        select(Project).options(joinedload(Project.applicant))
        .order_by((Project.status == ProjectStatus.pending).desc(), Project.created_at.desc())
    ))
