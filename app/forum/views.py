"""Reading pages: the forum index, a category, a thread, permalinks, revisions."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app import helplines, i18n
from app.accounts.permissions import Viewer, best_effort_write
from app.content_notes import CONTENT_NOTE_LABELS
from app.db import SessionDep
from app.forum import events, extensions, fragments, queries, service
from app.forum.composer import router as composer_router
from app.forum.errors import MemberRestricted
from app.forum.models import REACTION_LABELS, Visibility
from app.forum.permissions import ForumPermissions, access_category, access_post, access_revisions, access_thread
from app.i18n import LOCALES
from app.resources import service as resources
from app.settings import SettingsDep
from app.web.page_cache import mark_cacheable
from app.web.params import Id, OptionalPage, form_id
from app.web.routing import html_router
from app.web.templating import redirect, render, url_for

router = html_router()
router.include_router(composer_router)


def _page_number(page: int | None) -> int:
    return page if page and page > 0 else 1


def _reading_langs(viewer: Viewer, lang: str, langs: str | None) -> list[str] | None:
    """None means every language: the member's one-click "all languages"."""
    if langs == "all":
        return None
    if langs:
        chosen = [code for code in langs.split(",") if code in LOCALES]
        return chosen or None
    return viewer.read_lang_list if viewer is not None else [lang]


@router.get("/", name="forum.index")
def index(request: Request, session: SessionDep, viewer: Viewer, lang: str, notice: str | None = None) -> Response:
    reading = _reading_langs(viewer, lang, None)
    if viewer is None and notice is None:  # (any query parameter bypasses the visitors' cache anyway)
        mark_cacheable(request)
    return render(request, "forum/index.html", {
        "categories": queries.category_overviews(session, viewer, langs=reading), "reading": reading,
        # After logging out (accounts.logout): said once, to the visitor the member now is.
        "logged_out": notice == "logged_out" and viewer is None,
    })


@router.get("/c/{slug}", name="forum.category")
def category_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, lang: str,
                  slug: str, page: OptionalPage = None, langs: str | None = None) -> Response:
    category = access_category(session, viewer, slug)
    reading = _reading_langs(viewer, lang, langs)
    threads = queries.list_threads(session, viewer, category, langs=reading, page=_page_number(page),
                                   size=settings.category_page_size)
    shown = events.CategoryShown(session=session, viewer=viewer, category=category, context={})
    events.publish(shown)  # domains above add their parts (the watch control)
    if viewer is None and category.visibility == Visibility.public:
        mark_cacheable(request)
    return render(request, "forum/category.html", {
        **shown.context, "category": category, "threads": threads, "reading": reading, "langs_param": langs,
        "related_pages": resources.pages_for_category(lang, category.slug),
        "other_languages": queries.count_other_language_threads(session, viewer, category, reading),
    }, noindex=category.visibility == Visibility.members)


@router.get("/t/{thread_id}", name="forum.thread")
def thread_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, lang: str,
                thread_id: Id, page: OptionalPage = None, notice: str | None = None, quote: str | None = None,
                read: str | None = None) -> Response:
    thread = access_thread(session, viewer, thread_id)
    can = ForumPermissions(viewer)
    post_context = {
        "thread": thread, "reaction_labels": REACTION_LABELS, "note_labels": CONTENT_NOTE_LABELS,
        "can": can, "post_footer_templates": extensions.FOOTER_TEMPLATES,
        "helplines": helplines.for_locale(i18n.get_locale()),
    }
    shown_posts = fragments.thread_posts(request, session, viewer=viewer, thread=thread, page=_page_number(page),
                                         size=settings.thread_page_size, context=post_context)
    posts = shown_posts.posts
    if not shown_posts.post_ids and posts.page > 1:
        return redirect(request, "forum.thread", thread_id=thread.id)
    # A post to quote, if `quote` names one the viewer may quote here; anything else is ignored (a link's query).
    quoted = form_id(quote) if quote and viewer else None
    reply_body = service.reply_quote(session, viewer=viewer, thread=thread, post_id=quoted) if quoted and viewer else ""
    shown = events.ThreadShown(session=session, viewer=viewer, thread=thread, context={},
                               post_ids=shown_posts.post_ids, reader_parts=shown_posts.reader_parts)
    events.publish(shown)  # domains above add their parts (the watch control)
    if viewer is None and thread.category.visibility == Visibility.public and not (notice or quote or read):
        mark_cacheable(request)
    response = render(request, "forum/thread.html", {
        **shown.context, **post_context,
        "posts": posts, "posts_html": shown_posts.html, "notices": set((notice or "").split(",")),
        "reply_form": fragments.reply_form(
            request, thread=thread, body=reply_body, context={"note_labels": CONTENT_NOTE_LABELS},
            welcome_hold=viewer is not None and service.is_premoderated(viewer, settings.trust),
        ) if can.reply(thread) else "",
        "restriction_message": MemberRestricted(viewer).translated() if viewer and not viewer.can_write else "",
        # Pages suggested to the poster from what they just wrote (see composer._submit).
        "suggested_pages": resources.pages_by_slugs(lang, (read or "").split(",")),
    }, noindex=thread.category.visibility == Visibility.members)
    # After rendering: on SQLite a write holds the one write lock until the commit.
    if viewer is not None and service.visit_changes(thread, shown_posts.visited_at):
        best_effort_write(session, lambda: service.record_visit(session, user=viewer, thread=thread,
                                                                previous=shown_posts.visited_at))
    return response


@router.get("/p/{post_id}", name="forum.post")
def permalink(request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer, post_id: Id,
              notice: str | None = None, read: str | None = None) -> Response:
    post = access_post(session, viewer, post_id)
    position = queries.post_position(session, viewer, post)
    page = position // settings.thread_page_size + 1
    # With a notice (crisis lines, a hold) or suggested pages, land on them, not on the post below.
    target = url_for(request, "forum.thread", thread_id=post.thread_id,
                     _query={"page": page if page > 1 else None, "notice": notice, "read": read},
                     _fragment="notices" if notice or read else f"p{post.id}")
    return RedirectResponse(target, status_code=303)


@router.get("/p/{post_id}/revisions", name="forum.revisions")
def revisions(request: Request, session: SessionDep, viewer: Viewer, post_id: Id) -> Response:
    post = access_revisions(session, viewer, post_id)
    return render(request, "forum/revisions.html",
                  {"post": post, "revisions": service.list_revisions(session, post=post)}, noindex=True)
