"""Pages: notifications grouped by thread, "my threads", preferences, watch buttons; the header's bell."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import CurrentUser, best_effort_write
from app.db import SessionDep
from app.errors import AppError
from app.forum.permissions import access_category, access_thread
from app.i18n import gettext
from app.notifications import queries, schemas, service, wording
from app.notifications.models import ALWAYS_DELIVERED, SWITCHABLE, WatchLevel
from app.settings import SettingsDep
from app.web.forms import FormStr, rerender
from app.web.params import Id, OptionalPage
from app.web.routing import html_router
from app.web.templating import redirect, render, url_for

router = html_router()


def bell(request: Request, session: Session, viewer: User) -> None:
    """Every page's (accounts.permissions.PAGE_HOOKS, members only): the header's unread count, one indexed query."""
    request.state.notification_bell = queries.unread_count(session, viewer, bell=True)


def bell_context(request: Request) -> dict[str, Any]:
    """For base.html (registered in templating.CONTEXT_PROVIDERS): the count `bell` left on the request."""
    count = getattr(request.state, "notification_bell", None)
    return {} if count is None else {"notification_bell": count}


def _page_number(page: int | None) -> int:
    return page if page and page > 0 else 1


@router.get("/notifications", name="notifications.page")
def notifications_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
                       page: OptionalPage = None, unread: int = 0) -> Response:
    found = queries.list_notifications(session, viewer, page=_page_number(page),
                                       size=settings.notifications.page_size, unread_only=bool(unread), bell=True)
    return render(request, "notifications/page.html", {
        "notifications": found, "groups": queries.group_by_thread(found.items), "unread_only": bool(unread),
        "sentence": wording.sentence,
    }, noindex=True)


@router.get("/notifications/{notification_id}/open", name="notifications.open")
def open_notification(request: Request, session: SessionDep, viewer: CurrentUser, notification_id: Id) -> Response:
    """Follow a notification: it is marked read and the member lands on the post it is about."""
    notification = service.access_notification(session, user=viewer, notification_id=notification_id)
    best_effort_write(session, lambda: service.mark_read(session, user=viewer, ids=[notification.id]))
    return RedirectResponse(wording.target(request, notification), status_code=303)


@router.post("/notifications/read", name="notifications.mark_read")
def mark_read(request: Request, session: SessionDep, viewer: CurrentUser,
              ids: Annotated[list[schemas.NotificationId] | None, Form()] = None, everything: FormStr = "") -> Response:
    service.mark_read(session, user=viewer, ids=ids, everything=everything == "1")
    return redirect(request, "notifications.page")


def _preferences_context(session: SessionDep, viewer: CurrentUser, **extra: Any) -> dict[str, Any]:
    prefs = service.get_preferences(session, user_id=viewer.id)
    return {
        "kinds": [(kind.value, wording.KIND_LABELS[kind], wording.KIND_HINTS.get(kind), service.wants(prefs, kind))
                  for kind in SWITCHABLE],
        "watch_defaults": [(name, label, bool(getattr(prefs, name))) for name, label in wording.WATCH_LABELS.items()],
        "always": sorted(k.value for k in ALWAYS_DELIVERED),
        "errors": {}, **extra,
    }


@router.get("/notifications/settings", name="notifications.preferences")
def preferences_page(request: Request, session: SessionDep, viewer: CurrentUser, saved: int = 0) -> Response:
    notice = gettext("Your changes are saved.") if saved else None
    return render(request, "notifications/preferences.html", _preferences_context(session, viewer, notice=notice),
                  noindex=True)


@router.post("/notifications/settings", name="notifications.preferences_post")
def save_preferences(request: Request, session: SessionDep, viewer: CurrentUser,
                     on: Annotated[list[str] | None, Form()] = None) -> Response:
    # A form sends only the ticked boxes: every switch it does not send is off.
    chosen = set(on or [])
    values = {name: name in chosen for name in service.PREFERENCE_FIELDS}
    values.update({name: True for name in chosen - set(service.PREFERENCE_FIELDS)})  # refused by the service
    try:
        service.update_preferences(session, user=viewer, values=values)
    except AppError as exc:
        return rerender(request, "notifications/preferences.html", _preferences_context(session, viewer), exc,
                        field="preferences", noindex=True)
    return redirect(request, "notifications.preferences", _query={"saved": 1})


@router.get("/my-threads", name="notifications.my_threads")
def my_threads(request: Request, session: SessionDep, settings: SettingsDep, viewer: CurrentUser,
               page: OptionalPage = None, muted: int = 0) -> Response:
    level = WatchLevel.muted if muted else WatchLevel.watching
    threads = queries.list_watched_threads(session, viewer, level=level, page=_page_number(page),
                                           size=settings.notifications.page_size)
    return render(request, "notifications/my_threads.html", {
        "threads": threads, "muted": bool(muted),
        "categories": queries.list_watched_categories(session, viewer),
    }, noindex=True)


def _back(request: Request, fallback: str, next_path: str) -> Response:
    if next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return RedirectResponse(next_path, status_code=303)
    return RedirectResponse(fallback, status_code=303)


@router.post("/t/{thread_id}/watch", name="notifications.watch_thread")
def watch_thread(request: Request, session: SessionDep, viewer: CurrentUser, thread_id: Id,
                 level: FormStr = "", next: FormStr = "") -> Response:
    thread = access_thread(session, viewer, thread_id)
    service.set_thread_level(session, user=viewer, thread=thread, level=level)
    return _back(request, url_for(request, "forum.thread", thread_id=thread.id, _fragment="watch"), next)


@router.post("/c/{slug}/watch", name="notifications.watch_category")
def watch_category(request: Request, session: SessionDep, viewer: CurrentUser, slug: str,
                   level: FormStr = "", next: FormStr = "") -> Response:
    category = access_category(session, viewer, slug)
    service.set_category_level(session, user=viewer, category=category, level=level)
    return _back(request, url_for(request, "forum.category", slug=category.slug, _fragment="watch"), next)
