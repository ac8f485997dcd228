"""One conversation page for both sides: the member's inbox and the team's messages share it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.accounts.models import User
from app.accounts.permissions import best_effort_write
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.review import messages
from app.web.forms import rerender
from app.web.templating import redirect, render

TEMPLATE = "review/conversation.html"


def _context(session: SessionDep, viewer: User, conversation_id: int, *, staff: bool,
             form: dict[str, str] | None = None) -> dict[str, object]:
    conversation = messages.access(session, viewer, conversation_id)
    if not staff and conversation.member_id != viewer.id:
        raise NotFound()  # moderators answer from the team's page
    return {"thread": messages.read(session, conversation=conversation), "form": form or {}, "errors": {},
            "staff": staff}


def show(request: Request, session: SessionDep, viewer: User, conversation_id: int, *, staff: bool) -> Response:
    """The conversation, marked read for the viewer."""
    context = _context(session, viewer, conversation_id, staff=staff)
    conversation = context["thread"].conversation  # type: ignore[attr-defined]
    best_effort_write(session, lambda: messages.mark_read(session, conversation=conversation, viewer=viewer))
    return render(request, TEMPLATE, context, noindex=True)


def reply(request: Request, session: SessionDep, viewer: User, conversation_id: int, body: str, *,
          staff: bool, route: str) -> Response:
    """Adds the viewer's reply, or shows the page again with the text kept and the error said."""
    context = _context(session, viewer, conversation_id, staff=staff, form={"body": body})
    try:
        messages.reply(session, conversation=context["thread"].conversation, author=viewer, body=body)  # type: ignore[attr-defined]
    except AppError as exc:
        return rerender(request, TEMPLATE, context, exc, field="body", noindex=True)
    return redirect(request, route, conversation_id=conversation_id, _fragment="latest")
