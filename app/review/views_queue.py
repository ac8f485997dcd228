"""The moderators' queue and item pages: claim, decide (with the statement it sends), support, welcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import helplines, i18n
from app.accounts.models import User
from app.accounts.permissions import ModeratorUser
from app.content_notes import CONTENT_NOTE_LABELS
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.forum import service as forum
from app.forum.composer import highlight
from app.forum.models import Post, PostStatus
from app.review import appeals, canned, data_reports, decisions, labels, members, service, support
from app.review.decision_checks import DecisionInput, Target
from app.review.models import ReviewItem
from app.review.permissions import access_item, access_post_to_moderate
from app.review.vocabulary import (
    ACTIONS,
    FINDING_LABELS,
    KINDS,
    MEMBER_ACTIONS,
    POST_STATUS_LABELS,
    PRIORITY_LABELS,
    REPORT_REASONS,
    RULE_FOR,
    RULES,
    SOURCE_LABELS,
    TIMED_ACTIONS,
)
from app.settings import SettingsDep
from app.web.forms import FormFields, FormStr, rerender
from app.web.params import Id, PageNumber
from app.web.templating import redirect, render

router = APIRouter()

VOCABULARY = {"kinds": KINDS, "priority_labels": PRIORITY_LABELS, "finding_labels": FINDING_LABELS,
              "source_labels": SOURCE_LABELS, "report_reasons": REPORT_REASONS, "actions": ACTIONS, "rules": RULES,
              "timed_actions": TIMED_ACTIONS, "member_actions": MEMBER_ACTIONS, "post_statuses": POST_STATUS_LABELS,
              "close_outcomes": data_reports.OUTCOMES}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except ValueError:
        return None


def decision_input(fields: dict[str, str], prefix: str = "") -> DecisionInput:
    """A DecisionInput from the decision form's fields (labels come as label_<category>=yes|no)."""
    return DecisionInput(
        action=fields.get(prefix + "action", ""), reason=fields.get("reason", ""), rule=fields.get("rule", ""),
        duration_days=_int(fields.get(prefix + "duration_days")), body=fields.get("body"),
        category_id=_int(fields.get("category_id")), content_note=fields.get("content_note") or None,
        slow_mode_minutes=_int(fields.get("slow_mode_minutes")),
        labels={key[6:]: value == "yes" for key, value in fields.items()
                if key.startswith("label_") and value in ("yes", "no")},
        version=_int(fields.get("version")),
    )


@router.get("/review", name="review.queue")
def queue(request: Request, session: SessionDep, viewer: ModeratorUser, lang: str, kind: str = "",
          category: str = "", item_lang: str = "", page: PageNumber = 1) -> Response:
    filters = service.QueueFilter(lang=item_lang, category=category, kind=kind)
    items = service.list_queue(session, viewer, filters, page=max(page, 1))
    post_ids = [i.post_id for i in items.items if i.post_id]
    return render(request, "review/queue.html", {
        **VOCABULARY, "items": items, "filters": filters,
        "findings": service.findings_for_posts(session, post_ids),
        "reports": service.reports_for_items(session, [i.id for i in items.items]),
        "appeals": service.appeals_for_items(session, [i.id for i in items.items]),
        "data_reports": data_reports.for_items(session, [i.id for i in items.items]),
        "earlier_sanctions": members.warnings_count(session, [i.subject_id for i in items.items if i.subject_id]),
        "categories": forum.list_categories(session),
        "paused_until": service.crisis_paused_until(session, viewer),
    }, noindex=True)


def _item_page(request: Request, session: SessionDep, item: ReviewItem | None, post: Post | None, viewer: Any,
               *, form: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything an item page shows: the post with its findings, the reports, the author, the choices."""
    ctx = service.item_context(session, item) if item is not None else service.ItemContext(item=None)  # type: ignore[arg-type]
    thread = post.thread if post is not None else None
    body_findings = [f for f in ctx.findings if f.field == "body"]
    appeal_context = None
    if ctx.appeal is not None:
        statement = ctx.appeal.statement
        original = session.get(decisions.Decision, statement.decision_id)
        # Read the actor by id: a decision about a member alone arrives without it loaded (lazy="raise").
        original_actor = session.get(User, original.actor_id) if original is not None and original.actor_id else None
        appeal_context = {"appeal": ctx.appeal, "statement": statement, "original": original,
                          "original_actor": original_actor,
                          "actor_is_viewer": original is not None and original.actor_id == viewer.id}
    lang = thread.lang if thread is not None else (item.lang if item else i18n.get_locale())
    default_rule = RULE_FOR.get(item.kind, "") if item is not None else ""
    # Withheld at its author's request (forum/erasure.py): its text, and what the checks quoted of it, stay unread.
    withheld = post is not None and post.withheld_status is not None
    flagged = labels.flagged_categories(session, item=item, reports=ctx.reports) if item and not withheld else {}
    return {
        **VOCABULARY, "item": item, "ctx": ctx, "post": post, "thread": thread,
        "segments": highlight(post.body_md, body_findings) if post is not None and not withheld else [],
        "title_findings": [f for f in ctx.findings if f.field == "title" and not withheld],
        "withheld": withheld, "withheld_until": post.author.erase_at if withheld and post and post.author else None,
        "author_record": members.record_of(session, post.author) if post is not None and post.author else None,
        "appeal_context": appeal_context, "flagged": flagged, "default_rule": default_rule,
        "data_report": data_reports.for_items(session, [item.id]).get(item.id) if item is not None else None,
        "categories": forum.list_categories(session), "note_labels": CONTENT_NOTE_LABELS,
        "canned_public": canned.list_replies(session, purpose="crisis_public", lang=lang),
        "canned_private": canned.list_replies(session, purpose="crisis_private",
                                              lang=post.author.locale if post and post.author else lang),
        "helplines": helplines.for_locale(i18n.get_locale()),
        "form": form or {}, "errors": {}, "claimed_by_other": item is not None and item.claimed_by_other(viewer),
        "is_crisis": item is not None and bool({"crisis", "worried"} & set(item.tag_list)),
        "held": post is not None and post.status == PostStatus.held,
    }


def _again(request: Request, session: SessionDep, viewer: Any, error: AppError, *, item_id: int | None = None,
           post_id: int | None = None, form: dict[str, str] | None = None, field: str = "reason") -> Response:
    """The item page again after a refused action: nothing it wrote is kept, what the moderator typed is."""
    session.rollback()
    if item_id is not None:
        item = access_item(session, viewer, item_id)
        post = item.post
    else:
        item, post = None, access_post_to_moderate(session, viewer, post_id or 0)
    return rerender(request, "review/item.html", _item_page(request, session, item, post, viewer, form=form), error,
                    field=field, noindex=True)


@router.get("/review/items/{item_id}", name="review.item")
def item_page(request: Request, session: SessionDep, viewer: ModeratorUser, item_id: Id) -> Response:
    item = access_item(session, viewer, item_id)
    return render(request, "review/item.html", _item_page(request, session, item, item.post, viewer), noindex=True)


@router.post("/review/items/{item_id}/claim", name="review.claim")
def claim(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser,
          item_id: Id) -> Response:
    item = access_item(session, viewer, item_id)
    try:
        service.claim(session, item=item, viewer=viewer, minutes=settings.review.claim_minutes)
    except AppError as exc:
        return _again(request, session, viewer, exc, item_id=item_id, field="claim")
    return redirect(request, "review.item", item_id=item.id)


@router.post("/review/items/{item_id}/release", name="review.release")
def release(request: Request, session: SessionDep, viewer: ModeratorUser, item_id: Id) -> Response:
    item = access_item(session, viewer, item_id)
    service.release_claim(session, item=item, viewer=viewer)
    return redirect(request, "review.queue")


@router.post("/review/items/{item_id}/decide", name="review.decide")
def decide(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser, item_id: Id,
           fields: FormFields) -> Response:
    item = access_item(session, viewer, item_id)
    try:
        if item.post_id is None:
            appeals.decide_appeal(session, settings, item=item, actor=viewer, action=fields.get("action", ""),
                                  reason=fields.get("reason", ""), version=_int(fields.get("version")))
            return redirect(request, "review.queue", _query={"done": item.id})
        data = decision_input(fields)
        sanction = decision_input(fields, prefix="sanction_") if fields.get("sanction_action") else None
        was_welcome = "welcome" in item.tag_list and item.post is not None and item.post.status == PostStatus.held
        decisions.decide(session, settings, item=item, actor=viewer, data=data, sanction=sanction)
    except AppError as exc:
        return _again(request, session, viewer, exc, item_id=item_id, form=fields)
    if was_welcome and data.action in ("approve", "edit"):
        return redirect(request, "review.welcome", item_id=item.id)  # approved: now say welcome
    return redirect(request, "review.queue", _query={"done": item.id})


@router.post("/review/items/{item_id}/support", name="review.support")
def support_view(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser, item_id: Id,
                 public_body: FormStr = "", private_body: FormStr = "", banner: FormStr = "", resolve: FormStr = "",
                 version: FormStr = "") -> Response:
    item = access_item(session, viewer, item_id)
    form = {"public_body": public_body, "private_body": private_body}
    try:
        support.support(session, settings, item=item, actor=viewer, public_body=public_body,
                        private_body=private_body, show_banner=banner == "1", resolve=resolve == "1",
                        version=_int(version))
    except AppError as exc:
        return _again(request, session, viewer, exc, item_id=item_id, form=form, field="public_body")
    if resolve == "1":
        return redirect(request, "review.queue", _query={"done": item.id})
    return redirect(request, "review.item", item_id=item.id)


@router.get("/review/items/{item_id}/welcome", name="review.welcome")
def welcome_form(request: Request, session: SessionDep, viewer: ModeratorUser, item_id: Id) -> Response:
    item = access_item(session, viewer, item_id)
    if item.post is None:
        raise NotFound()
    template = canned.first_for(session, purpose="welcome", lang=item.post.thread.lang)
    return render(request, "review/welcome.html", {
        "item": item, "post": item.post, "form": {"body": template.body if template else ""}, "errors": {},
        "replies": canned.list_replies(session, purpose="welcome", lang=item.post.thread.lang),
    }, noindex=True)


@router.post("/review/items/{item_id}/welcome", name="review.welcome_post")
def welcome_post(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser, item_id: Id,
                 body: FormStr = "", form_nonce: FormStr = "") -> Response:
    item = access_item(session, viewer, item_id)
    if item.post is None:
        raise NotFound()
    try:
        reply = support.welcome_reply(session, settings, thread=item.post.thread, actor=viewer, body=body,
                                      form_nonce=form_nonce)
    except AppError as exc:
        form = {"body": body, "form_nonce": form_nonce}
        return rerender(request, "review/welcome.html", {"item": item, "post": item.post, "form": form,
                                                         "replies": []}, exc, field="body", noindex=True)
    return redirect(request, "forum.post", post_id=reply.id)


@router.get("/review/posts/{post_id}", name="review.post")
def post_page(request: Request, session: SessionDep, viewer: ModeratorUser, post_id: Id) -> Response:
    """Moderate any post: its open item if it has one, else the same choices without a queue item."""
    post = access_post_to_moderate(session, viewer, post_id)
    item = service.get_open_item(session, post_id=post.id)
    if item is not None:
        return redirect(request, "review.item", item_id=item.id)
    return render(request, "review/item.html", _item_page(request, session, None, post, viewer), noindex=True)


@router.post("/review/posts/{post_id}/decide", name="review.post_decide")
def post_decide(request: Request, session: SessionDep, settings: SettingsDep, viewer: ModeratorUser, post_id: Id,
                fields: FormFields) -> Response:
    post = access_post_to_moderate(session, viewer, post_id)
    target = Target(post=post, thread=post.thread, member=post.author)
    try:
        decisions.act(session, settings, target=target, actor=viewer, data=decision_input(fields))
        if fields.get("sanction_action"):
            decisions.act(session, settings, target=target, actor=viewer,
                          data=decision_input(fields, prefix="sanction_"))
    except AppError as exc:
        return _again(request, session, viewer, exc, post_id=post_id, form=fields)
    return redirect(request, "forum.post", post_id=post.id)


@router.post("/review/items/{item_id}/close", name="review.close")
def close(request: Request, session: SessionDep, viewer: ModeratorUser, item_id: int, form: FormFields) -> Response:
    """Close a medication-data report's item with what came of it."""
    item = access_item(session, viewer, item_id)
    try:
        data_reports.close(session, item=item, actor=viewer, outcome=form.get("outcome", ""))
    except AppError as exc:
        return _again(request, session, viewer, exc, item_id=item_id, form=form, field="outcome")
    return redirect(request, "review.queue")
