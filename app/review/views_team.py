"""The moderators' other tools: a member's record and actions, messages, canned replies, dashboard, crisis pause."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import User
from app.accounts.permissions import ModeratorUser
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.i18n import LOCALES
from app.review import canned, dashboard, decisions, members, messages, service, views_conversation
from app.review.permissions import access_member
from app.review.views_queue import VOCABULARY, decision_input
from app.review.vocabulary import CANNED_PURPOSES
from app.settings import SettingsDep
from app.web.forms import FormFields, FormStr, rerender
from app.web.params import Id, form_id, is_whole_number
from app.web.templating import redirect, render

router = APIRouter()


def _member_context(session: SessionDep, member: User, form: dict[str, str] | None = None) -> dict[str, object]:
    return {**VOCABULARY, "record": members.record_of(session, member), "form": form or {}, "errors": {}}


def _member_again(request: Request, session: SessionDep, viewer: User, user_id: int, error: AppError,
                  form: dict[str, str], field: str) -> Response:
    session.rollback()
    member = access_member(session, viewer, user_id)
    return rerender(request, "review/member.html", _member_context(session, member, form), error, field=field,
                    noindex=True)


@router.get("/review/members/{user_id}", name="review.member")
def member_page(request: Request, session: SessionDep, viewer: ModeratorUser, user_id: Id) -> Response:
    member = access_member(session, viewer, user_id)
    return render(request, "review/member.html", _member_context(session, member), noindex=True)


@router.post("/review/members/{user_id}/act", name="review.member_act")
def member_act(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser, user_id: Id,
               fields: FormFields) -> Response:
    member = access_member(session, viewer, user_id)
    try:
        decisions.act_on_member(session, settings, member=member, actor=viewer, data=decision_input(fields))
    except AppError as exc:
        return _member_again(request, session, viewer, user_id, exc, fields, "reason")
    return redirect(request, "review.member", user_id=member.id)


@router.post("/review/members/{user_id}/notes", name="review.member_note")
def member_note(request: Request, session: SessionDep, viewer: ModeratorUser, user_id: Id,
                note: FormStr = "") -> Response:
    member = access_member(session, viewer, user_id)
    try:
        members.add_note(session, moderator=viewer, member=member, body=note)
    except AppError as exc:
        return _member_again(request, session, viewer, user_id, exc, {"note": note}, "note")
    return redirect(request, "review.member", user_id=member.id, _fragment="notes")


@router.post("/review/members/{user_id}/message", name="review.member_message")
def member_message(request: Request, session: SessionDep, viewer: ModeratorUser, user_id: Id,
                   subject: FormStr = "", body: FormStr = "") -> Response:
    member = access_member(session, viewer, user_id)
    try:
        conversation = messages.start(session, moderator=viewer, member=member, subject=subject, body=body)
    except AppError as exc:
        return _member_again(request, session, viewer, user_id, exc, {"subject": subject, "body": body}, "body")
    return redirect(request, "review.staff_conversation", conversation_id=conversation.id)


@router.get("/review/messages", name="review.messages")
def staff_messages(request: Request, session: SessionDep, viewer: ModeratorUser) -> Response:
    return render(request, "review/messages.html", {"conversations": messages.staff_list(session)}, noindex=True)


@router.get("/review/messages/{conversation_id}", name="review.staff_conversation")
def staff_conversation(request: Request, session: SessionDep, viewer: ModeratorUser,
                       conversation_id: Id) -> Response:
    return views_conversation.show(request, session, viewer, conversation_id, staff=True)


@router.post("/review/messages/{conversation_id}", name="review.staff_reply")
def staff_reply(request: Request, session: SessionDep, viewer: ModeratorUser, conversation_id: Id,
                body: FormStr = "") -> Response:
    return views_conversation.reply(request, session, viewer, conversation_id, body, staff=True,
                                    route="review.staff_conversation")


@router.get("/review/canned", name="review.canned")
def canned_list(request: Request, session: SessionDep, viewer: ModeratorUser) -> Response:
    return render(request, "review/canned.html", {
        "replies": canned.list_replies(session, active_only=False), "purposes": CANNED_PURPOSES}, noindex=True)


def _canned_form(request: Request, reply_id: int | None, form: dict[str, str]) -> dict[str, object]:
    return {"reply_id": reply_id, "form": form, "errors": {}, "purposes": CANNED_PURPOSES, "locales": LOCALES}


@router.get("/review/canned/new", name="review.canned_new")
def canned_new(request: Request, viewer: ModeratorUser, lang: str) -> Response:
    return render(request, "review/canned_form.html", _canned_form(request, None, {"lang": lang, "active": "1"}),
                  noindex=True)


@router.get("/review/canned/{reply_id}", name="review.canned_edit")
def canned_edit(request: Request, session: SessionDep, viewer: ModeratorUser, reply_id: Id) -> Response:
    reply = canned.get_reply(session, reply_id)
    form = {"purpose": reply.purpose, "lang": reply.lang, "title": reply.title, "body": reply.body,
            "active": "1" if reply.active else ""}
    return render(request, "review/canned_form.html", _canned_form(request, reply.id, form), noindex=True)


@router.post("/review/canned", name="review.canned_save")
def canned_save(request: Request, session: SessionDep, viewer: ModeratorUser, reply_id: FormStr = "",
                purpose: FormStr = "", reply_lang: FormStr = "", title: FormStr = "", body: FormStr = "",
                active: FormStr = "") -> Response:
    existing = canned.get_reply(session, number) if (number := form_id(reply_id)) is not None else None
    if reply_id and existing is None:
        raise NotFound()
    form = {"purpose": purpose, "lang": reply_lang, "title": title, "body": body, "active": active}
    try:
        canned.save_reply(session, editor=viewer, reply=existing, purpose=purpose, lang=reply_lang, title=title,
                          body=body, active=active == "1")
    except AppError as exc:
        return rerender(request, "review/canned_form.html", _canned_form(request, existing.id if existing else None,
                                                                         form), exc, field="body", noindex=True)
    return redirect(request, "review.canned")


@router.get("/review/dashboard", name="review.dashboard")
def dashboard_page(request: Request, session: SessionDep, viewer: ModeratorUser) -> Response:
    return render(request, "review/dashboard.html", {
        **VOCABULARY, "board": dashboard.build(session, langs=viewer.moderated_lang_list),
        "uncovered": service.uncovered_counts(session, viewer),
        "paused_until": service.crisis_paused_until(session, viewer)}, noindex=True)


@router.post("/review/crisis-pause", name="review.crisis_pause")
def crisis_pause(request: Request, session: SessionDep, viewer: ModeratorUser, hours: FormStr = "0") -> Response:
    service.pause_crisis_items(session, viewer=viewer, hours=int(hours) if is_whole_number(hours) else 0)
    return redirect(request, "review.queue")
