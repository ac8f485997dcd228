"""Writing pages: new thread, reply, edit, delete, reactions, staff flags.

Every form re-renders with the member's text intact on any failure. Stigma
findings bring the composer back once with the guideline and suggestions, and
two choices: edit, or post as is. Wording alone never blocks a post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.forum import queries, service
from app.forum.models import CONTENT_NOTE_LABELS, Category, Post
from app.forum.permissions import access_category, access_post, access_thread
from app.i18n import get_locale
from app.resources import service as resources
from app.review.service import Screening
from app.web.templating import redirect, render

router = APIRouter()
FormStr = Annotated[str, Form()]


def highlight(text: str, findings: list[Any]) -> list[tuple[str, Any]]:
    """Split text into (segment, finding-or-None) so the template can mark findings safely."""
    segments: list[tuple[str, Any]] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < cursor:
            continue  # overlapping findings: the first one is enough to point at
        segments.append((text[cursor:finding.start], None))
        segments.append((text[finding.start:finding.end], finding))
        cursor = finding.end
    segments.append((text[cursor:], None))
    return [(segment, finding) for segment, finding in segments if segment]


def _wording_context(screening: Screening | None, title: str, body: str) -> dict[str, Any]:
    if screening is None:
        return {"wording": None}
    return {"wording": {
        "findings": screening.stigma,
        "title_segments": highlight(title, [f for f in screening.title_findings if f.category == "stigma"]),
        "body_segments": highlight(body, [f for f in screening.body_findings if f.category == "stigma"]),
    }}


def _after_post_notice(posted: service.Posted) -> str | None:
    """What the poster sees at once: crisis lines always, whatever else applies."""
    notices = []
    if posted.screening.urgent:
        notices.append("crisis")
    if "personal_data" in posted.screening.categories:
        notices.append("personal_data")
    elif posted.screening.held:
        notices.append("held")
    return ",".join(notices) or None


def _suggested(screening: Screening | None, form: dict[str, str], extra: dict[str, Any]) -> list[Any]:
    """Resource pages that what the member wrote points to (findings first, then words)."""
    text = "\n".join(filter(None, (form.get("title"), form.get("body"))))
    if not text.strip():
        return []
    thread = extra.get("thread") or getattr(extra.get("post"), "thread", None)
    text_lang = form.get("lang") or (thread.lang if thread is not None else get_locale())
    return resources.suggest(lang=get_locale(), text=text, text_lang=text_lang,
                             categories=screening.categories if screening else ())


def _composer(request: Request, template: str, *, form: dict[str, str], errors: dict[str, str],
              screening: Screening | None = None, status_code: int = 200, suggest: bool = True,
              **extra: Any) -> Response:
    context = {"form": form, "errors": errors, "note_labels": CONTENT_NOTE_LABELS, **extra,
               "composer_pages": _suggested(screening, form, extra) if suggest else []}
    context.update(_wording_context(screening, form.get("title", ""), form.get("body", "")))
    return render(request, template, context, status_code=status_code, noindex=True)


def _submit(request: Request, template: str, form: dict[str, str], action: Callable[[], service.Posted],
            **extra: Any) -> Response:
    """Run a posting service; on wording findings or bad input, bring the composer back intact."""
    try:
        posted = action()
    except service.WordingReview as review:
        return _composer(request, template, form=form, errors={}, screening=review.screening, **extra)
    except AppError as exc:
        return _composer(request, template, form=form, errors={getattr(exc, "field", None) or "body": exc.translated()},
                         status_code=exc.status_code, **extra)
    text = "\n".join(filter(None, (form.get("title"), posted.post.body_md)))
    read = [page.slug for page in resources.suggest(lang=get_locale(), text=text, text_lang=posted.thread.lang,
                                                    categories=posted.screening.categories)]
    return redirect(request, "forum.post", post_id=posted.post.id,
                    _query={"notice": _after_post_notice(posted), "read": ",".join(read) or None})


@router.get("/c/{slug}/new", name="forum.new_thread")
def new_thread_form(request: Request, session: SessionDep, viewer: CurrentUser, lang: str, slug: str) -> Response:
    category = access_category(session, viewer, slug)
    form = {"lang": lang}
    # Some categories start from a gentle template, e.g. the introductions (reviewed content).
    template = resources.composer_template(category.slug, lang)
    if template is not None:
        form.update(resources.fill_template(template, pseudonym=viewer.pseudonym))
    existing = (queries.get_first_thread_by(session, viewer, category, viewer)
                if template is not None and template.one_per_member else None)
    return _composer(request, "forum/new_thread.html", form=form, errors={}, suggest=False, category=category,
                     composer_hint=template.hint if template else None, existing_thread=existing)


@router.post("/c/{slug}/new", name="forum.new_thread_post")
def new_thread(request: Request, session: SessionDep, viewer: CurrentUser, slug: str, title: FormStr = "",
               body: FormStr = "", thread_lang: FormStr = "", content_note: FormStr = "",
               wording_confirmed: FormStr = "") -> Response:
    category: Category = access_category(session, viewer, slug)
    form = {"title": title, "body": body, "lang": thread_lang, "content_note": content_note}
    return _submit(request, "forum/new_thread.html", form, lambda: service.create_thread(
        session, category=category, author=viewer, title=title, body=body, lang=thread_lang,
        content_note=content_note or None, max_chars=request.app.state.settings.max_post_chars,
        wording_confirmed=bool(wording_confirmed),
    ), category=category)


@router.post("/t/{thread_id}/reply", name="forum.reply")
def reply(request: Request, session: SessionDep, viewer: CurrentUser, thread_id: int, body: FormStr = "",
          content_note: FormStr = "", wording_confirmed: FormStr = "") -> Response:
    thread = access_thread(session, viewer, thread_id, for_write=True)
    form = {"body": body, "content_note": content_note}
    return _submit(request, "forum/reply.html", form, lambda: service.reply(
        session, thread=thread, author=viewer, body=body, content_note=content_note or None,
        max_chars=request.app.state.settings.max_post_chars, wording_confirmed=bool(wording_confirmed),
    ), thread=thread)


@router.get("/p/{post_id}/edit", name="forum.edit")
def edit_form(request: Request, session: SessionDep, viewer: CurrentUser, post_id: int) -> Response:
    post = access_post(session, viewer, post_id, for_edit=True)
    return _composer(request, "forum/edit.html", post=post, errors={}, suggest=False,
                     form={"body": post.body_md, "content_note": post.content_note or ""})


@router.post("/p/{post_id}/edit", name="forum.edit_post")
def edit(request: Request, session: SessionDep, viewer: CurrentUser, post_id: int, body: FormStr = "",
         content_note: FormStr = "", wording_confirmed: FormStr = "") -> Response:
    post: Post = access_post(session, viewer, post_id, for_edit=True)
    form = {"body": body, "content_note": content_note}
    return _submit(request, "forum/edit.html", form, lambda: service.edit_post(
        session, post=post, editor=viewer, body=body, content_note=content_note or None,
        max_chars=request.app.state.settings.max_post_chars, wording_confirmed=bool(wording_confirmed),
    ), post=post)


@router.post("/p/{post_id}/delete", name="forum.delete")
def delete(request: Request, session: SessionDep, viewer: CurrentUser, post_id: int) -> Response:
    post = access_post(session, viewer, post_id, for_edit=True)
    service.delete_post(session, post=post, actor=viewer)
    return redirect(request, "forum.thread", thread_id=post.thread_id)


@router.post("/p/{post_id}/react", name="forum.react")
def react(request: Request, session: SessionDep, viewer: CurrentUser, post_id: int, kind: FormStr = "") -> Response:
    post = access_post(session, viewer, post_id)
    service.toggle_reaction(session, post=post, user=viewer, kind=kind)
    return redirect(request, "forum.post", post_id=post.id)


@router.post("/t/{thread_id}/flags", name="forum.flags")
def flags(request: Request, session: SessionDep, viewer: CurrentUser, thread_id: int, pinned: FormStr = "",
          locked: FormStr = "") -> Response:
    if not viewer.is_admin:
        raise NotFound()
    thread = access_thread(session, viewer, thread_id)
    service.set_flags(session, thread=thread, actor=viewer,
                      pinned=None if pinned == "" else pinned == "1", locked=None if locked == "" else locked == "1")
    return redirect(request, "forum.thread", thread_id=thread.id)
