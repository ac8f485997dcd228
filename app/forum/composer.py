"""Writing pages: new thread, reply, edit, delete, reactions, staff flags.

Every form re-renders with the member's text intact on any failure. Stigma
findings bring the composer back once with the guideline and suggestions, and
two choices: edit, or post as is. Wording alone never blocks a post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import markdown
from app.accounts.permissions import CurrentUser
from app.content_notes import CONTENT_NOTE_LABELS
from app.db import SessionDep
from app.errors import AppError, NotFound
from app.forum import queries, service
from app.forum.models import Category, Post
from app.forum.permissions import access_category, access_post, access_thread, can_set_flags
from app.forum.screening import Screening
from app.i18n import get_locale
from app.resources import service as resources
from app.settings import Settings, SettingsDep
from app.web.forms import FormStr, rerender
from app.web.params import Id
from app.web.templating import redirect, render

router = APIRouter()


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


def _composer_context(form: dict[str, str], screening: Screening | None = None, *, suggest: bool = True,
                      **extra: Any) -> dict[str, Any]:
    return {"form": form, "errors": {}, "note_labels": CONTENT_NOTE_LABELS, "preview_html": None, **extra,
            "composer_pages": _suggested(screening, form, extra) if suggest else [],
            **_wording_context(screening, form.get("title", ""), form.get("body", ""))}


def _draft(settings: Settings, body: str, content_note: str, wording_confirmed: str) -> dict[str, Any]:
    """What every composer form sends to a posting service, read the same way."""
    return {"body": body, "content_note": content_note or None, "max_chars": settings.max_post_chars,
            "wording_confirmed": bool(wording_confirmed), "limits": settings.trust}


def _suggested(screening: Screening | None, form: dict[str, str], extra: dict[str, Any]) -> list[Any]:
    """Resource pages that what the member wrote points to (findings first, then words)."""
    text = "\n".join(filter(None, (form.get("title"), form.get("body"))))
    if not text.strip():
        return []
    thread = extra.get("thread") or getattr(extra.get("post"), "thread", None)
    text_lang = form.get("lang") or (thread.lang if thread is not None else get_locale())
    return resources.suggest(lang=get_locale(), text=text, text_lang=text_lang,
                             categories=screening.categories if screening else ())


def _submit(request: Request, template: str, form: dict[str, str], action: Callable[[], service.Posted],
            *, check: Callable[[], object], preview: bool = False, **extra: Any) -> Response:
    """Run a posting service; on wording findings or bad input, bring the composer back intact.

    "Preview" shows the message as it will look (rendered and sanitised like a post) and posts nothing,
    with every problem publishing would report (`check`: the service's own checks of the fields).
    """
    if preview:
        context = _composer_context(form, preview_html=markdown.render(form.get("body", "")), **extra)
        try:
            check()
        except AppError as exc:
            return rerender(request, template, context, exc, field="body", noindex=True)
        return render(request, template, context, noindex=True)
    try:
        posted = action()
    except service.WordingReview as review:
        return render(request, template, _composer_context(form, review.screening, **extra), noindex=True)
    except AppError as exc:
        return rerender(request, template, _composer_context(form, **extra), exc, field="body", noindex=True)
    text = "\n".join(filter(None, (form.get("title"), posted.post.body_md)))
    read = [page.slug for page in resources.suggest(lang=get_locale(), text=text, text_lang=posted.thread.lang,
                                                    categories=posted.screening.categories)]
    notice = ",".join(posted.screening.poster_notices()) or None
    return redirect(request, "forum.post", post_id=posted.post.id,
                    _query={"notice": notice, "read": ",".join(read) or None})


@router.get("/c/{slug}/new", name="forum.new_thread")
def new_thread_form(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, lang: str,
                    slug: str) -> Response:
    category = access_category(session, viewer, slug)
    form = {"lang": lang}
    # Some categories start from a gentle template, e.g. the introductions (reviewed content).
    template = resources.composer_template(category.slug, lang)
    if template is not None:
        form.update(resources.fill_template(template, pseudonym=viewer.pseudonym))
    existing = (queries.get_first_thread_by(session, viewer, category, viewer)
                if template is not None and template.one_per_member else None)
    return render(request, "forum/new_thread.html", _composer_context(
        form, suggest=False, category=category, composer_hint=template.hint if template else None,
        existing_thread=existing, welcome_hold=service.is_premoderated(viewer, settings.trust)), noindex=True)


@router.post("/c/{slug}/new", name="forum.new_thread_post")
def new_thread(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, slug: str,
               title: FormStr = "", body: FormStr = "", thread_lang: FormStr = "", content_note: FormStr = "",
               wording_confirmed: FormStr = "", preview: FormStr = "", form_nonce: FormStr = "") -> Response:
    category: Category = access_category(session, viewer, slug)
    form = {"title": title, "body": body, "lang": thread_lang, "content_note": content_note,
            "form_nonce": form_nonce}
    return _submit(request, "forum/new_thread.html", form, lambda: service.create_thread(
        session, category=category, author=viewer, title=title, lang=thread_lang, form_nonce=form_nonce,
        **_draft(settings, body, content_note, wording_confirmed),
    ), check=lambda: service.check_draft(title=title, lang=thread_lang, body=body, content_note=content_note,
                                         max_chars=settings.max_post_chars),
        preview=bool(preview), category=category, welcome_hold=service.is_premoderated(viewer, settings.trust))


@router.post("/t/{thread_id}/reply", name="forum.reply")
def reply(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, thread_id: Id,
          body: FormStr = "", content_note: FormStr = "", wording_confirmed: FormStr = "",
          preview: FormStr = "", form_nonce: FormStr = "") -> Response:
    thread = access_thread(session, viewer, thread_id, for_write=True)
    form = {"body": body, "content_note": content_note, "form_nonce": form_nonce}
    return _submit(request, "forum/reply.html", form, lambda: service.reply(
        session, thread=thread, author=viewer, form_nonce=form_nonce,
        **_draft(settings, body, content_note, wording_confirmed),
    ), check=lambda: service.check_draft(body=body, content_note=content_note, max_chars=settings.max_post_chars),
        preview=bool(preview), thread=thread, welcome_hold=service.is_premoderated(viewer, settings.trust))


@router.get("/p/{post_id}/edit", name="forum.edit")
def edit_form(request: Request, session: SessionDep, viewer: CurrentUser, post_id: Id) -> Response:
    post = access_post(session, viewer, post_id, for_edit=True)
    form = {"body": post.body_md, "content_note": post.content_note or ""}
    return render(request, "forum/edit.html", _composer_context(form, suggest=False, post=post), noindex=True)


@router.post("/p/{post_id}/edit", name="forum.edit_post")
def edit(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser, post_id: Id,
         body: FormStr = "", content_note: FormStr = "", wording_confirmed: FormStr = "",
         preview: FormStr = "") -> Response:
    post: Post = access_post(session, viewer, post_id, for_edit=True)
    form = {"body": body, "content_note": content_note}
    return _submit(request, "forum/edit.html", form, lambda: service.edit_post(
        session, post=post, editor=viewer, **_draft(settings, body, content_note, wording_confirmed),
    ), check=lambda: service.check_draft(body=body, content_note=content_note, max_chars=settings.max_post_chars),
        preview=bool(preview), post=post)


@router.get("/p/{post_id}/delete", name="forum.delete_confirm")
def confirm_delete(request: Request, session: SessionDep, viewer: CurrentUser, post_id: Id) -> Response:
    """A deleted post cannot be brought back by its author: ask first."""
    post = access_post(session, viewer, post_id, for_edit=True)
    return render(request, "forum/delete.html", {"post": post}, noindex=True)


@router.post("/p/{post_id}/delete", name="forum.delete")
def delete(request: Request, session: SessionDep, viewer: CurrentUser, post_id: Id) -> Response:
    post = access_post(session, viewer, post_id, for_edit=True)
    service.delete_post(session, post=post, actor=viewer)
    return redirect(request, "forum.thread", thread_id=post.thread_id)


@router.post("/p/{post_id}/react", name="forum.react")
def react(request: Request, session: SessionDep, viewer: CurrentUser, post_id: Id, kind: FormStr = "",
          given: FormStr = "") -> Response:
    """The button says what it will do ("1": give, "0": take back), so a double tap does it once."""
    post = access_post(session, viewer, post_id)
    service.react(session, post=post, user=viewer, kind=kind, given={"1": True, "0": False}.get(given))
    return redirect(request, "forum.post", post_id=post.id)


@router.post("/t/{thread_id}/flags", name="forum.flags")
def flags(request: Request, session: SessionDep, viewer: CurrentUser, thread_id: Id, pinned: FormStr = "",
          locked: FormStr = "") -> Response:
    thread = access_thread(session, viewer, thread_id)
    if not can_set_flags(viewer, thread):
        raise NotFound()
    service.set_flags(session, thread=thread, actor=viewer,
                      pinned=None if pinned == "" else pinned == "1", locked=None if locked == "" else locked == "1")
    return redirect(request, "forum.thread", thread_id=thread.id)
