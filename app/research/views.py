"""Research pages: the member's consent (on their account), projects, exports, and the admins' decisions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.permissions import AdminUser, CurrentUser
from app.db import SessionDep
from app.errors import AppError, ValidationFailed
from app.forum import queries as forum_queries
from app.i18n import gettext
from app.i18n_markers import N_
from app.research import api as research_api
from app.research import exports, permissions, projects, service, texts
from app.research.anonymise import nlp
from app.research.models import ExportStatus, ProjectRole
from app.research.schemas import ExportOptions
from app.settings import SettingsDep, request_settings
from app.web.params import Id, PageNumber
from app.web.routing import html_router
from app.web.templating import redirect, render

router = html_router()
FormStr = Annotated[str, Form()]
FormList = Annotated[list[str] | None, Form()]
NEVER_QUOTE_PAGE = 20


# ---------------------------------------------------------------- the member's consent
def _consent_page(request: Request, session: SessionDep, viewer: CurrentUser, lang: str, *,
                  notice: str | None = None, page: int = 1) -> Response:
    posts = forum_queries.list_posts_by_author(session, author_id=viewer.id, limit=NEVER_QUOTE_PAGE + 1,
                                               offset=(page - 1) * NEVER_QUOTE_PAGE)
    return render(request, "research/consent.html", {
        "state": service.get_consent(session, user=viewer),
        "document": texts.current("consent"), "doc_lang": lang,
        "events": service.list_consent_events(session, user=viewer),
        "posts": posts[:NEVER_QUOTE_PAGE], "more": len(posts) > NEVER_QUOTE_PAGE, "page": page,
        "never": service.never_quote_ids(session, post_ids=[p.id for p in posts]),
        "notice": notice,
    }, noindex=True)


@router.get("/account/research", name="research.consent")
def consent_page(request: Request, session: SessionDep, viewer: CurrentUser, lang: str, saved: str | None = None,
                 page: PageNumber = 1) -> Response:
    notice = gettext("Your answers are saved.") if saved else None
    return _consent_page(request, session, viewer, lang, notice=notice, page=max(page, 1))


@router.post("/account/research", name="research.consent_post")
def consent_save(request: Request, session: SessionDep, viewer: CurrentUser, lang: str, posts: FormStr = "",
                 diary: FormStr = "") -> Response:
    service.set_consent(session, user=viewer, posts=posts == "yes", diary=diary == "yes", lang=lang)
    prompts = getattr(request.app.state, "research_prompts", None)
    if prompts is not None:
        prompts.forget(viewer.id)
    return redirect(request, "research.consent", _query={"saved": 1})


@router.post("/account/research/later", name="research.consent_later")
def consent_later(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    service.dismiss_prompt(session, user=viewer)
    prompts = getattr(request.app.state, "research_prompts", None)
    if prompts is not None:
        prompts.forget(viewer.id)
    return redirect(request, "forum.index")


@router.post("/account/research/never-quote/{post_id}", name="research.never_quote")
def never_quote(request: Request, session: SessionDep, viewer: CurrentUser, post_id: Id, never: FormStr = "",
                page: FormStr = "1", back: FormStr = "") -> Response:
    service.set_never_quote(session, user=viewer, post_id=post_id, never=never == "1")
    if back == "post":  # the control under the post itself: back to the post in its thread
        return redirect(request, "forum.post", post_id=post_id)
    return redirect(request, "research.consent", _query={"page": page if page != "1" else None},
                    _fragment=f"post-{post_id}")


# ---------------------------------------------------------------- projects
@router.get("/research", name="research.index")
def index(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    return render(request, "research/index.html", {"projects": projects.list_projects_of(session, user=viewer),
                                                   "today": projects.today()}, noindex=True)


@router.get("/research/terms", name="research.terms")
def terms(request: Request, lang: str) -> Response:
    return render(request, "research/terms.html", {"document": texts.current("terms"), "doc_lang": lang})


@router.get("/research/apply", name="research.apply")
def apply_form(request: Request, viewer: CurrentUser, lang: str) -> Response:
    return render(request, "research/apply.html", {"form": {}, "errors": {}, "document": texts.current("terms"),
                                                   "doc_lang": lang}, noindex=True)


@router.post("/research/apply", name="research.apply_post")
def apply(request: Request, session: SessionDep, viewer: CurrentUser, lang: str, title: FormStr = "",
          institution: FormStr = "", purpose: FormStr = "", ethics_ref: FormStr = "", data_requested: FormStr = "",
          retention: FormStr = "", accept_terms: FormStr = "") -> Response:
    form = {"title": title, "institution": institution, "purpose": purpose, "ethics_ref": ethics_ref,
            "data_requested": data_requested, "retention": retention}
    try:
        project = projects.apply(session, applicant=viewer, accept_terms=accept_terms == "yes", **form)
    except ValidationFailed as exc:
        return render(request, "research/apply.html", {
            "form": form, "errors": {exc.field or "title": exc.translated()},
            "document": texts.current("terms"), "doc_lang": lang}, status_code=422, noindex=True)
    return redirect(request, "research.project", project_id=project.id)


def _project_page(request: Request, session: SessionDep, viewer: CurrentUser, project_id: int, *,
                  errors: dict[str, str] | None = None, form: dict[str, object] | None = None,
                  status_code: int = 200) -> Response:
    project, membership = permissions.access_project(session, viewer, project_id)
    export_list = exports.list_exports(session, project=project)
    settings = request_settings(request)
    return render(request, "research/project.html", {
        "project": project, "membership": membership,
        "is_lead": membership is not None and membership.role == ProjectRole.lead,
        "members": projects.list_members(session, project=project),
        "exports": export_list, "can_export": permissions.can_export(project, membership),
        "terms_current": projects.has_current_terms(membership), "terms": texts.current("terms"),
        "anonymiser_ready": exports.anonymiser_ready(settings), "nlp_status": nlp.status(),
        "install_hint": nlp.INSTALL_HINT,
        "categories": [c for c, _count, _last in forum_queries.list_categories(session, viewer)],
        "busy": any(e.status in (ExportStatus.queued, ExportStatus.running) for e in export_list),
        "errors": errors or {}, "form": form or {}, "today": projects.today(),
    }, status_code=status_code, noindex=True)


@router.get("/research/projects/{project_id}", name="research.project")
def project_page(request: Request, session: SessionDep, viewer: CurrentUser, project_id: Id) -> Response:
    return _project_page(request, session, viewer, project_id)


@router.post("/research/projects/{project_id}/terms", name="research.accept_terms")
def accept_terms(request: Request, session: SessionDep, viewer: CurrentUser, project_id: Id,
                 accept: FormStr = "") -> Response:
    _project, membership = permissions.access_project(session, viewer, project_id)
    if membership is None or accept != "yes":
        return _project_page(request, session, viewer, project_id, status_code=422, errors={
            "accept": gettext("Tick the box to accept the data-use terms.")})
    projects.accept_terms(session, membership=membership)
    return redirect(request, "research.project", project_id=project_id)


@router.post("/research/projects/{project_id}/members", name="research.add_member")
def add_member(request: Request, session: SessionDep, viewer: CurrentUser, project_id: Id,
               pseudonym: FormStr = "") -> Response:
    project, membership = permissions.access_project(session, viewer, project_id)
    try:
        if not (viewer.is_admin or (membership is not None and membership.role == ProjectRole.lead)):
            raise ValidationFailed(N_("Only the project's lead can add researchers."), field="pseudonym")
        projects.add_member(session, project=project, actor=viewer, pseudonym=pseudonym)
    except AppError as exc:
        return _project_page(request, session, viewer, project_id, status_code=exc.status_code,
                             errors={"pseudonym": exc.translated()}, form={"pseudonym": pseudonym})
    return redirect(request, "research.project", project_id=project_id)


def _date_field(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(N_("Enter a date as YYYY-MM-DD."), field=field) from None


@router.post("/research/projects/{project_id}/exports", name="research.export_create")
def create_export(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, project_id: Id,
                  format: FormStr = "jsonl", categories: FormList = None, langs: FormList = None,
                  since: FormStr = "", until: FormStr = "", diary: FormStr = "none",
                  dates: FormStr = "month") -> Response:
    form: dict[str, object] = {"format": format, "categories": categories or [], "langs": langs or [],
                               "since": since, "until": until, "diary": diary, "dates": dates}
    project, membership = permissions.access_project(session, viewer, project_id)
    try:
        try:
            options = ExportOptions(format=format, categories=categories or [], langs=langs or [],  # type: ignore[arg-type]
                                    since=_date_field(since, "since"), until=_date_field(until, "until"),
                                    diary=diary, dates=dates)  # type: ignore[arg-type]
        except ValueError:
            raise ValidationFailed(N_("Check the export's options: the end date must come after the start "
                                      "date."), field="until") from None
        exports.request_export(session, settings, project=project, membership=membership,
                               user=viewer, options=options)
    except AppError as exc:
        return _project_page(request, session, viewer, project_id, status_code=exc.status_code,
                             errors={getattr(exc, "field", None) or "export": exc.translated()}, form=form)
    return redirect(request, "research.project", project_id=project_id, _fragment="exports")


@router.get("/research/exports/{export_id}/download", name="research.download")
def download(session: SessionDep, settings: SettingsDep, viewer: CurrentUser, export_id: Id) -> Response:
    return research_api.download_response(session, settings, viewer, export_id)


# ---------------------------------------------------------------- administrators
@router.get("/research/admin", name="research.admin")
def admin_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(request, "research/admin.html", {"projects": projects.list_all_projects(session),
                                                   "errors": {}, "today": projects.today()}, noindex=True)


@router.post("/research/projects/{project_id}/approve", name="research.approve")
def approve(request: Request, session: SessionDep, admin: AdminUser, project_id: Id,
            expires_on: FormStr = "") -> Response:
    project = projects.get_project(session, project_id)
    try:
        projects.approve(session, project=project, actor=admin, expires_on=_date_field(expires_on, "expires_on"))
    except ValidationFailed as exc:
        return render(request, "research/admin.html", {
            "projects": projects.list_all_projects(session), "today": projects.today(),
            "errors": {f"{project_id}-expires_on": exc.translated()}}, status_code=422, noindex=True)
    return redirect(request, "research.admin")


@router.post("/research/projects/{project_id}/decline", name="research.decline")
def decline(request: Request, session: SessionDep, admin: AdminUser, project_id: Id,
            reason: FormStr = "") -> Response:
    project = projects.get_project(session, project_id)
    try:
        projects.decline(session, project=project, actor=admin, reason=reason)
    except ValidationFailed as exc:
        return render(request, "research/admin.html", {
            "projects": projects.list_all_projects(session), "today": projects.today(),
            "errors": {f"{project_id}-reason": exc.translated()}}, status_code=422, noindex=True)
    return redirect(request, "research.admin")
