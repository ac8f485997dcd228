"""Review's JSON routes (contract: the queue, decisions, reports, the member's statements)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.accounts.models import User
from app.accounts.permissions import CurrentUser, ModeratorUser, Viewer
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.review import appeals, decisions, reports, service, statements
from app.review.decision_checks import DecisionInput
from app.review.models import Finding, Report, ReviewItem, Statement
from app.review.permissions import access_item
from app.review.reports import ReportInput
from app.review.schemas import (
    AppealIn,
    AppealOut,
    DecisionIn,
    DecisionOut,
    FindingOut,
    QueueItemOut,
    QueueOut,
    ReportCreated,
    ReportIn,
    ReportOut,
    StatementList,
    StatementOut,
)
from app.settings import SettingsDep
from app.web.client import throttle_key
from app.web.csrf import verify_csrf
from app.web.middleware import SESSION_COOKIE
from app.web.params import Id, PageNumber
from app.web.routing import api_router, require_json
from app.web.templating import url_for

router = api_router()


def _finding(f: Finding, *, withheld: bool = False) -> FindingOut:
    return FindingOut(category=f.category, field=f.field, start=f.start, end=f.end,
                      match="" if withheld else f.match, rule=f.rule,
                      explanation=f.explanation, suggestions=list(f.suggestions), source=f.source, score=f.score)


def _report(r: Report) -> ReportOut:
    return ReportOut(id=r.id, reason=r.reason, text=r.text, created_at=r.created_at)


def _item(request: Request, item: ReviewItem, findings: list[Finding], item_reports: list[Report],
          claimer: User | None = None) -> QueueItemOut:
    claimer = claimer or item.claimed_by
    withheld = item.post is not None and item.post.withheld_status is not None
    return QueueItemOut(
        id=item.id, kind=item.kind, priority=item.priority, lang=item.lang, post_id=item.post_id,
        thread_id=item.post.thread_id if item.post is not None else None,
        findings=[_finding(f, withheld=withheld) for f in findings], reports=[_report(r) for r in item_reports],
        created_at=item.created_at, tags=item.tag_list, newcomer=item.newcomer, version=item.version,
        claimed_by=claimer.pseudonym if claimer is not None and item.claimed_until else None,
        claimed_until=item.claimed_until, url=url_for(request, "review.item", lang=item.lang, item_id=item.id),
        withheld=withheld,
    )


@router.get("/review/queue", response_model=QueueOut, name="api.review.queue")
def queue(request: Request, session: SessionDep, viewer: ModeratorUser, lang: str = "", kind: str = "",
          category: str = "", page: PageNumber = 1) -> QueueOut:
    result = service.list_queue(session, viewer, service.QueueFilter(lang=lang, kind=kind, category=category),
                                page=max(1, min(page, 10_000)))
    findings = service.findings_for_posts(session, [i.post_id for i in result.items if i.post_id])
    item_reports = service.reports_for_items(session, [i.id for i in result.items])
    return QueueOut(items=[_item(request, i, findings.get(i.post_id or 0, []), item_reports.get(i.id, []))
                           for i in result.items], total=result.total, page=result.page, pages=result.pages)


@router.get("/review/items/{item_id}", response_model=QueueItemOut, name="api.review.item")
def item(item_id: Id, request: Request, session: SessionDep, viewer: ModeratorUser) -> QueueItemOut:
    found = access_item(session, viewer, item_id)
    ctx = service.item_context(session, found)
    return _item(request, found, ctx.findings, ctx.reports)


@router.post("/review/items/{item_id}/claim", response_model=QueueItemOut, name="api.review.claim")
def claim(item_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
          viewer: ModeratorUser) -> QueueItemOut:
    found = access_item(session, viewer, item_id)
    service.claim(session, item=found, viewer=viewer, minutes=settings.review.claim_minutes)
    session.flush()
    ctx = service.item_context(session, found)
    return _item(request, found, ctx.findings, ctx.reports, claimer=viewer)


def statement_out(request: Request, statement: Statement, user: User) -> StatementOut:
    appealable = statement.appeal_until is not None and appeals.can_appeal(statement)
    url = url_for(request, "review.statement", lang=user.locale, statement_id=statement.id)
    return StatementOut(
        id=statement.id, action=statement.action, reason=statement.reason, rule=statement.rule,
        automated=statement.automated, created_at=statement.created_at, source=statement.source,
        appeal_url=url + "#appeal" if appealable else None, post_id=statement.post_id,
        duration_days=statement.duration_days, ends_at=statement.ends_at, url=url,
    )


@router.post("/review/items/{item_id}/decision", response_model=DecisionOut, name="api.review.decision")
def decision(item_id: Id, body: DecisionIn, request: Request, session: SessionDep, settings: SettingsDep,
             viewer: ModeratorUser) -> DecisionOut:
    """Decide an item; 409 when another moderator decided it first, or it changed since `version`."""
    found = access_item(session, viewer, item_id)
    if found.post_id is None:
        outcome = appeals.decide_appeal(session, settings, item=found, actor=viewer, action=body.action,
                                        reason=body.reason, version=body.version)
    else:
        if body.action in ("uphold", "reverse"):
            raise ValidationFailed(N_("Choose an action."), field="action")
        data = DecisionInput(**body.model_dump())
        outcome = decisions.decide(session, settings, item=found, actor=viewer, data=data)
    recipient = session.get(User, outcome.statement.user_id) if outcome.statement else None
    return DecisionOut(
        decision_id=outcome.decision.id, action=outcome.decision.action,
        item_status=outcome.item.status if outcome.item else None,
        statement=statement_out(request, outcome.statement, recipient) if outcome.statement and recipient else None,
    )


async def member_csrf(request: Request) -> None:
    """A member's report carries their session's CSRF token (a visitor has no session to forge)."""
    if request.state.cookies.get(SESSION_COOKIE):
        await verify_csrf(request)


async def report_guard(request: Request) -> None:
    """Members send their session's CSRF token; a visitor's notice must be JSON from our own origin."""
    if request.state.cookies.get(SESSION_COOKIE):
        await verify_csrf(request)
    else:
        require_json(request)


#: The CSRF part of the guard: what app.web.errors runs when a member's body was refused before the guard ran.
report_guard.csrf_check = member_csrf  # type: ignore[attr-defined]


reporting = APIRouter(dependencies=[Depends(report_guard)])


@reporting.post("/posts/{post_id}/reports", status_code=201, response_model=ReportCreated, name="api.posts.report")
def report(post_id: Id, body: ReportIn, request: Request, session: SessionDep, settings: SettingsDep,
           viewer: Viewer) -> ReportCreated:
    post = reports.access_reportable(session, viewer, post_id)
    reported = reports.create_report(
        session, settings, post=post, reporter=viewer, data=ReportInput(**body.model_dump()),
        location=(settings.public_origin or str(request.base_url)).rstrip("/")
        + url_for(request, "forum.post", lang=post.thread.lang, post_id=post.id),
        client_key=throttle_key(request, "report") if viewer is None else None)
    status_url = (url_for(request, "review.notice", lang=post.thread.lang, report_id=reported.report.id,
                          _query={"token": reported.token}) if reported.token else None)
    return ReportCreated(id=reported.report.id, reason=reported.report.reason, status="received",
                         status_url=status_url)


@router.get("/me/statements", response_model=StatementList, name="api.me.statements")
def my_statements(request: Request, session: SessionDep, viewer: CurrentUser) -> StatementList:
    return StatementList(items=[statement_out(request, s, viewer)
                                for s in statements.list_for(session, user=viewer)])


@router.post("/me/statements/{statement_id}/appeal", status_code=201, response_model=AppealOut,
             name="api.me.appeal")
def appeal(statement_id: Id, body: AppealIn, session: SessionDep, viewer: CurrentUser) -> AppealOut:
    statement = statements.access(session, viewer, statement_id)
    created = appeals.create_appeal(session, statement=statement, appellant=viewer, text=body.text)
    return AppealOut(id=created.id, status=created.status)
