"""JSON routes for the forum (contract: categories, threads, posts)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app import idempotency
from app.accounts.models import User
from app.accounts.permissions import CurrentUser, LaterViewer, Viewer
from app.db import SessionDep, request_session, run_and_commit
from app.forum import extensions, queries, quotes, schemas, service
from app.forum.models import Post, PostStatus, Thread
from app.forum.permissions import access_category, access_post, access_thread, can_see_post_body
from app.forum.screening import check_text
from app.i18n import _, get_locale, typeset
from app.i18n_markers import N_
from app.plain_text import refuse_too_long
from app.settings import SettingsDep, request_settings
from app.web.params import Id, PageNumber
from app.web.routing import api_router
from app.web.templating import url_for

router = api_router()
# Previews change nothing, so they need no CSRF token (any client may ask for hints).
previews = APIRouter()


def _author(user: User | None) -> schemas.AuthorOut | None:
    return schemas.AuthorOut(id=user.id, pseudonym=user.pseudonym) if user and not user.posts_withdrawn else None


# The engine explains its wording rules from its lexicons; personal details are found by
# patterns with no lexicon entry, so the forum says why, in the reader's language.
PERSONAL_DATA_EXPLANATION = N_(
    "Personal details (a phone number, an e-mail, a street address, a full name, a bank account) would let "
    "anyone find you. To protect you, a post with them is held: remove them and it will appear, or a "
    "moderator will look at it.")


def _explained(finding: dict[str, object]) -> dict[str, object]:
    if finding.get("category") == "personal_data" and not finding.get("explanation"):
        return {**finding, "explanation": _(PERSONAL_DATA_EXPLANATION)}
    return finding


def _findings(posted: service.Posted) -> list[schemas.FindingOut]:
    return [schemas.FindingOut.model_validate(_explained(f.to_dict())) for f in posted.screening.findings]


def _post_created(request: Request, posted: service.Posted) -> schemas.PostCreated:
    post = posted.post
    return schemas.PostCreated(
        id=post.id, url=url_for(request, "forum.post", lang=posted.thread.lang, post_id=post.id),
        status=post.status, findings=_findings(posted), notices=posted.screening.notices,
        poster_notices=posted.screening.poster_notices(),
    )


def _thread_url(request: Request, thread: Thread, lang: str) -> str:
    return url_for(request, "forum.thread", lang=lang, thread_id=thread.id)


@router.get("/categories", response_model=list[schemas.CategoryOut], name="api.categories")
def categories(session: SessionDep, viewer: Viewer) -> list[schemas.CategoryOut]:
    return [
        schemas.CategoryOut(id=c.id, slug=c.slug, names=c.names, visibility=c.visibility,
                            descriptions={loc: c.description(loc) for loc in ("fr", "nl", "en")})
        for c, _count, _last in queries.list_categories(session, viewer)
    ]


@router.post("/categories/{slug}/threads", status_code=201, response_model=schemas.ThreadCreated,
             name="api.threads.create", responses=idempotency.RESPONSES)
def create_thread(slug: str, body: schemas.ThreadCreate, request: Request, session: SessionDep,
                  settings: SettingsDep, viewer: CurrentUser,
                  idempotency_key: idempotency.KeyHeader = None) -> schemas.ThreadCreated | JSONResponse:
    category = access_category(session, viewer, slug)
    once = idempotency.claim(session, user_id=viewer.id, key=idempotency_key,
                             request_fingerprint=idempotency.fingerprint("api.threads.create", category.id,
                                                                         body.model_dump(mode="json")))
    if once is not None and once.replay is not None:
        return once.replay
    posted = service.create_thread(session, category=category, author=viewer, title=body.title, body=body.body,
                                   lang=body.lang, content_note=body.content_note,
                                   max_chars=settings.max_post_chars, limits=settings.trust)
    thread_id = posted.post.thread_id
    created = schemas.ThreadCreated(
        id=thread_id, url=url_for(request, "forum.thread", lang=body.lang, thread_id=thread_id),
        first_post_id=posted.post.id, status=posted.post.status, findings=_findings(posted),
        notices=posted.screening.notices, poster_notices=posted.screening.poster_notices(),
    )
    if once is not None:
        once.answer(session, created.model_dump(mode="json"), 201)
    return created


@router.get("/threads/{thread_id}", response_model=schemas.ThreadOut, name="api.threads.get")
def get_thread(thread_id: Id, request: Request, session: SessionDep, viewer: Viewer) -> schemas.ThreadOut:
    thread = access_thread(session, viewer, thread_id)
    author = session.get(User, thread.author_id) if thread.author_id else None
    return schemas.ThreadOut(
        id=thread.id, title=thread.title, lang=thread.lang, category=thread.category.slug, author=_author(author),
        status=thread.status, pinned=thread.pinned, locked=thread.locked, post_count=thread.post_count,
        created_at=thread.created_at, last_post_at=thread.last_post_at,
        url=_thread_url(request, thread, thread.lang),
    )


def _post_out(request: Request, viewer: User | None, post: Post, reactions: queries.ReactionSummary | None,
              lang: str, marks: dict[int, dict[str, bool]] | None = None,
              shown_bodies: dict[int, str] | None = None) -> schemas.PostOut:
    url = url_for(request, "forum.post", lang=lang, post_id=post.id)
    if not (can_see_post_body(viewer, post) and post.status != PostStatus.deleted):
        # The placeholder only, as the thread page shows it: who and when, and that it is gone.
        # A content note, a notice or an edit time would tell what a removed post was about.
        return schemas.PostOut(id=post.id, author=_author(post.author), body_html=None, status=post.status,
                               content_note=None, notices=[], created_at=post.created_at, edited_at=None,
                               reactions={}, url=url, marks=(marks or {}).get(post.id))
    return schemas.PostOut(
        id=post.id, author=_author(post.author), body_html=(shown_bodies or {}).get(post.id, post.body_html),
        status=post.status, content_note=post.content_note, notices=post.notice_list,
        created_at=post.created_at, edited_at=post.edited_at,
        reactions=reactions.counts if reactions else {}, url=url,
        marks=(marks or {}).get(post.id),
    )


@router.get("/threads/{thread_id}/posts", response_model=schemas.PostPage, name="api.posts.list")
def list_posts(thread_id: Id, request: Request, session: SessionDep, settings: SettingsDep, viewer: Viewer,
               page: PageNumber = 1) -> schemas.PostPage:
    thread = access_thread(session, viewer, thread_id)
    result = queries.list_posts(session, viewer, thread, page=max(page, 1),
                                size=settings.thread_page_size)
    reactions = queries.reaction_summaries(session, viewer, [p.id for p in result.items])
    marks = extensions.own_marks(session, viewer, result.items)
    shown = quotes.shown_bodies(session, result.items, lang=get_locale())
    return schemas.PostPage(
        items=[_post_out(request, viewer, p, reactions.get(p.id), thread.lang, marks, shown) for p in result.items],
        page=result.page, pages=result.pages, total=result.total,
    )


@router.post("/threads/{thread_id}/posts", status_code=201, response_model=schemas.PostCreated,
             name="api.posts.create", responses=idempotency.RESPONSES)
async def create_post(thread_id: Id, body: schemas.PostCreate, request: Request, load_viewer: LaterViewer,
                      idempotency_key: idempotency.KeyHeader = None) -> schemas.PostCreated | JSONResponse:
    # async, the viewer's lookup, the work and its commit in one hand-over to a worker thread (the most
    # frequent write); the session opened here rather than by a dependency (app.db.request_session).
    settings = request_settings(request)
    async with request_session(request) as session:
        def reply() -> schemas.PostCreated | JSONResponse:
            viewer = load_viewer(session)
            thread = access_thread(session, viewer, thread_id, for_write=True)
            # Without a key (most replies) there is nothing to claim: no fingerprint of the body to compute.
            once = None if idempotency_key is None else idempotency.claim(
                session, user_id=viewer.id, key=idempotency_key,
                request_fingerprint=idempotency.fingerprint("api.posts.create", thread_id,
                                                            body.model_dump(mode="json")))
            if once is not None and once.replay is not None:
                return once.replay
            posted = service.reply(session, thread=thread, author=viewer, body=body.body,
                                   content_note=body.content_note, max_chars=settings.max_post_chars,
                                   limits=settings.trust)
            created = _post_created(request, posted)
            if once is not None:
                once.answer(session, created.model_dump(mode="json"), 201)
            return created

        return await run_and_commit(request, session, reply)


@router.patch("/posts/{post_id}", response_model=schemas.PostCreated, name="api.posts.edit")
def edit_post(post_id: Id, body: schemas.PostEdit, request: Request, session: SessionDep,
              settings: SettingsDep, viewer: CurrentUser) -> schemas.PostCreated:
    post = access_post(session, viewer, post_id, for_edit=True)
    posted = service.edit_post(session, post=post, editor=viewer, body=body.body, content_note=body.content_note,
                               max_chars=settings.max_post_chars, limits=settings.trust)
    return _post_created(request, posted)


@router.delete("/posts/{post_id}", status_code=204, name="api.posts.delete")
def delete_post(post_id: Id, session: SessionDep, viewer: CurrentUser) -> Response:
    post = access_post(session, viewer, post_id, for_edit=True)
    service.delete_post(session, post=post, actor=viewer)
    return Response(status_code=204)


@router.post("/posts/{post_id}/reactions", name="api.posts.react")
def react(post_id: Id, body: schemas.ReactionIn, session: SessionDep, viewer: CurrentUser) -> dict[str, bool]:
    post = access_post(session, viewer, post_id)
    return {"given": service.react(session, post=post, user=viewer, kind=body.kind, given=body.given)}


@previews.post("/moderation/check", response_model=schemas.ModerationResult, name="api.moderation.check")
def moderation_check(body: schemas.ModerationCheck, settings: SettingsDep) -> schemas.ModerationResult:
    refuse_too_long(body.text, max_chars=settings.max_post_chars, field="text")  # 422, as for a post's body
    lang = body.lang or get_locale()
    findings = [f.to_dict() for f in check_text(body.text, lang)]
    for finding in findings:  # the guidelines' words, punctuated as their language sets them
        finding["explanation"] = typeset(finding.get("explanation") or "", lang)
        finding["suggestions"] = [typeset(s, lang) for s in finding.get("suggestions") or []]
    return schemas.ModerationResult(findings=[_explained(f) for f in findings])

