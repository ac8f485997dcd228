"""A member's side of moderation: statements of reasons and appeals, messages with moderators, reports made."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.permissions import CurrentUser, best_effort_write
from app.db import SessionDep
from app.errors import AppError
from app.review import appeals, messages, reports, statements, unread, views_conversation
from app.review.views_queue import VOCABULARY
from app.review.vocabulary import APPEAL_STATUSES, REPORT_OUTCOMES
from app.web.forms import FormStr, rerender
from app.web.params import Id
from app.web.templating import redirect, render

router = APIRouter()


@router.get("/account/statements", name="review.statements")
def statement_list(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    listed = statements.list_for(session, user=viewer)
    new = {s.id for s in listed if s.read_at is None}  # marked "new" on this visit, even once read

    def read_list() -> None:
        statements.mark_informational_read(session, user=viewer)  # an approval is read once listed
        unread.refresh(session, viewer.id)  # and heal the count if it ever drifted

    best_effort_write(session, read_list)
    return render(request, "review/statements.html", {**VOCABULARY, "statements": statements.views(session, listed),
                                                      "new": new, "appeal_statuses": APPEAL_STATUSES}, noindex=True)


def _statement_context(session: SessionDep, viewer: CurrentUser, statement_id: int,
                       form: dict[str, str] | None = None) -> dict[str, object]:
    statement = statements.access(session, viewer, statement_id)
    view = statements.views(session, [statement])[0]
    return {**VOCABULARY, "view": view, "appeal_statuses": APPEAL_STATUSES, "form": form or {}, "errors": {}}


@router.get("/account/statements/{statement_id}", name="review.statement")
def statement_page(request: Request, session: SessionDep, viewer: CurrentUser, statement_id: Id) -> Response:
    context = _statement_context(session, viewer, statement_id)
    statement = context["view"].statement  # type: ignore[attr-defined]
    best_effort_write(session, lambda: statements.mark_read(session, statement))
    return render(request, "review/statement.html", context, noindex=True)


@router.post("/account/statements/{statement_id}/appeal", name="review.appeal")
def appeal(request: Request, session: SessionDep, viewer: CurrentUser, statement_id: Id,
           text: FormStr = "") -> Response:
    statement = statements.access(session, viewer, statement_id)
    try:
        appeals.create_appeal(session, statement=statement, appellant=viewer, text=text)
    except AppError as exc:
        return rerender(request, "review/statement.html",
                        _statement_context(session, viewer, statement_id, {"text": text}), exc, field="text",
                        noindex=True)
    return redirect(request, "review.statement", statement_id=statement.id, _query={"appealed": 1})


@router.get("/account/inbox", name="review.inbox")
def inbox(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    best_effort_write(session, lambda: unread.refresh(session, viewer.id))
    return render(request, "review/inbox.html", {"conversations": messages.inbox(session, member=viewer)},
                  noindex=True)


@router.get("/account/inbox/{conversation_id}", name="review.conversation")
def conversation_page(request: Request, session: SessionDep, viewer: CurrentUser, conversation_id: Id) -> Response:
    return views_conversation.show(request, session, viewer, conversation_id, staff=False)


@router.post("/account/inbox/{conversation_id}", name="review.conversation_reply")
def conversation_reply(request: Request, session: SessionDep, viewer: CurrentUser, conversation_id: Id,
                       body: FormStr = "") -> Response:
    return views_conversation.reply(request, session, viewer, conversation_id, body, staff=False,
                                    route="review.conversation")


@router.get("/account/reports", name="review.my_reports")
def my_reports(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    return render(request, "review/my_reports.html", {**VOCABULARY, "reports": reports.list_for_reporter(
        session, user=viewer), "outcomes": REPORT_OUTCOMES}, noindex=True)
