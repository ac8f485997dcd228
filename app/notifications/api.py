"""JSON routes (contract: /me/notifications, /me/notifications/read, /threads/{id}/watch)."""

from __future__ import annotations

from fastapi import Request

from app.accounts.permissions import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.forum.permissions import access_category, access_thread
from app.i18n_markers import N_
from app.notifications import queries, schemas, service, wording
from app.notifications.models import ALWAYS_DELIVERED, SWITCHABLE, WatchLevel
from app.settings import SettingsDep
from app.web.params import Id, OptionalId, PageNumber
from app.web.routing import api_router
from app.web.templating import url_for

router = api_router()


def _out(request: Request, item: queries.Item) -> schemas.NotificationOut:
    n = item.notification
    actor = n.actor
    return schemas.NotificationOut(
        id=n.id, kind=n.kind, thread_id=n.thread_id, post_id=n.post_id,
        actor=(schemas.ActorOut(id=actor.id, pseudonym=actor.pseudonym)
               if actor is not None and not actor.posts_withdrawn else None),
        created_at=n.created_at, read=n.read_at is not None, text=wording.sentence(item),
        url=wording.target(request, n), reaction=n.detail or None, count=n.count, ref_id=n.ref_id,
    )


@router.get("/me/notifications", response_model=schemas.NotificationList, name="api.notifications.list")
def list_notifications(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                       unread: int = 0, page: PageNumber = 1) -> schemas.NotificationList:
    found = queries.list_notifications(session, viewer, page=page, size=settings.notifications.page_size,
                                       unread_only=bool(unread))
    return schemas.NotificationList(items=[_out(request, item) for item in found.items],
                                    unread=queries.unread_count(session, viewer), page=found.page, pages=found.pages)


@router.get("/me/notifications/count", response_model=schemas.UnreadCount, name="api.notifications.count")
def count(session: SessionDep, viewer: CurrentUser, bell: int = 0) -> schemas.UnreadCount:
    """Every unread notification; with ``bell=1`` the header's number, which leaves out the
    moderators' notes that the page's banner is announcing (queries.BANNER_KINDS)."""
    return schemas.UnreadCount(unread=queries.unread_count(session, viewer, bell=bool(bell)))


@router.post("/me/notifications/read", response_model=schemas.MarkedRead, name="api.notifications.read")
def mark_read(body: schemas.MarkRead, session: SessionDep, viewer: CurrentUser) -> schemas.MarkedRead:
    if not body.all and not body.ids:
        raise ValidationFailed(N_("Say which notifications to mark as read, or all of them."), field="ids")
    marked = service.mark_read(session, user=viewer, ids=body.ids, everything=body.all)
    return schemas.MarkedRead(marked=marked, unread=queries.unread_count(session, viewer))


@router.put("/threads/{thread_id}/watch", response_model=schemas.ThreadWatchOut, name="api.threads.watch")
def watch_thread(thread_id: Id, body: schemas.ThreadWatchIn, session: SessionDep,
                 viewer: CurrentUser) -> schemas.ThreadWatchOut:
    thread = access_thread(session, viewer, thread_id)
    level = service.set_thread_level(session, user=viewer, thread=thread, level=body.level)
    return schemas.ThreadWatchOut(thread_id=thread.id, level=level)


@router.put("/categories/{slug}/watch", response_model=schemas.CategoryWatchOut, name="api.categories.watch")
def watch_category(slug: str, body: schemas.CategoryWatchIn, session: SessionDep,
                   viewer: CurrentUser) -> schemas.CategoryWatchOut:
    category = access_category(session, viewer, slug)
    level = service.set_category_level(session, user=viewer, category=category, level=body.level)
    return schemas.CategoryWatchOut(category=category.slug, level=level)


def _preferences_out(session: SessionDep, viewer: CurrentUser) -> schemas.PreferencesOut:
    prefs = service.get_preferences(session, user_id=viewer.id)
    return schemas.PreferencesOut(
        kinds={kind.value: service.wants(prefs, kind) for kind in SWITCHABLE},
        always_delivered=sorted(k.value for k in ALWAYS_DELIVERED),
        watch_started=prefs.watch_started, watch_replied=prefs.watch_replied,
    )


@router.get("/me/notification-preferences", response_model=schemas.PreferencesOut,
            name="api.notifications.preferences")
def get_preferences(session: SessionDep, viewer: CurrentUser) -> schemas.PreferencesOut:
    return _preferences_out(session, viewer)


@router.put("/me/notification-preferences", response_model=schemas.PreferencesOut,
            name="api.notifications.preferences_put")
def put_preferences(body: schemas.PreferencesIn, session: SessionDep, viewer: CurrentUser) -> schemas.PreferencesOut:
    values = dict(body.kinds)
    for name in ("watch_started", "watch_replied"):
        if getattr(body, name) is not None:
            values[name] = getattr(body, name)
    service.update_preferences(session, user=viewer, values=values)
    return _preferences_out(session, viewer)


@router.get("/me/watched-threads", response_model=schemas.WatchedThreads, name="api.notifications.watched")
def watched_threads(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                    muted: int = 0, page: PageNumber = 1) -> schemas.WatchedThreads:
    found = queries.list_watched_threads(session, viewer, level=WatchLevel.muted if muted else WatchLevel.watching,
                                         page=page, size=settings.notifications.page_size)
    return schemas.WatchedThreads(items=[
        schemas.WatchedThreadOut(
            thread_id=w.thread.id, title=w.thread.title, lang=w.thread.lang, level=w.level, unread=w.unread,
            first_unread_post_id=w.first_unread_id, last_post_at=w.thread.last_post_at,
            url=url_for(request, "forum.thread", lang=w.thread.lang, thread_id=w.thread.id),
        ) for w in found.items
    ], page=found.page, pages=found.pages)


@router.get("/members/mentionable", response_model=schemas.Mentionable, name="api.members.mentionable")
def mentionable(session: SessionDep, viewer: CurrentUser, q: str = "",
                thread_id: OptionalId = None) -> schemas.Mentionable:
    return schemas.Mentionable(pseudonyms=queries.mentionable(session, viewer, prefix=q[:30], thread_id=thread_id))
