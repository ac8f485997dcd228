"""create_app(): settings, database, middleware, routers, background upkeep."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

import moderation
from app import i18n, wiring
from app.accounts.ratelimit import RateLimitMiddleware
from app.db import Database
from app.forum import page_cache as forum_page_cache
from app.housekeeping import Housekeeping
from app.instruments import mark_process_dead
from app.notifications import fanout as notifications_fanout
from app.ops import health
from app.ops.middleware import RequestLogMiddleware
from app.resources import content as resources_content
from app.review.guidelines import GuidelinesWatcher
from app.search import service as search_service
from app.settings import Settings, get_settings
from app.web import errors, openapi
from app.web.body_limit import BodyLimitMiddleware
from app.web.middleware import HeadMiddleware, WebMiddleware
from app.web.page_cache import PageCache, PageCacheMiddleware
from app.web.routing import dispatch_by_prefix, page_dependencies

STATIC_DIR = Path(__file__).parent / "static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Changes made while no app was running (seeding, an engine outage) wait in the
    # search outbox: apply them now, in the background, so start-up stays quick.
    indexer = app.state.db.on_outbox
    if indexer is not None:
        threading.Thread(target=indexer, name="search-catch-up", daemon=True).start()
    # Likewise large notification fan-outs left by a process that stopped before doing them.
    if app.state.notifications is not None:
        app.state.notifications()
    housekeeping = Housekeeping(app.state.db, app.state.settings)
    housekeeping.start()
    # Wording guidelines edited from the web, in this process within seconds of any process saving them.
    watcher = GuidelinesWatcher(app.state.db, app.state.settings.review.guidelines_refresh_seconds)
    watcher.start()
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    yield
    watcher.stop()
    housekeeping.stop()
    app.state.db.dispose()
    mark_process_dead()


def _warm_up() -> None:
    """Build the moderation engine now (about 2 s), not during a member's first post after a start."""
    from app.forum.screening import check_text

    for lang in i18n.LOCALES:
        check_text("bonjour", lang)
    # What start-up built (the app, its routes, the moderation engine: ~350,000 objects) lives as long
    # as the process: out of the collector's sight, a full collection walks only what came after,
    # instead of pausing every request of this worker while it walks them all.
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    wiring.connect()
    # A model retrained on moderators' labels (`forum moderation retrain`) replaces the shipped one.
    moderation.use_model_dir(settings.moderation_model_dir)
    app = FastAPI(
        title="Trèfle · Klaver API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the hosted Swagger page loads third-party scripts
        redoc_url=None,
        lifespan=lifespan,
        # Starlette's slash redirect builds its URL from the Host header: app/web/errors.py redirects relatively.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.secret = settings.resolved_secret()
    app.state.db = Database(settings)
    app.state.search = search_service.install(settings, app.state.db)
    app.state.notifications = notifications_fanout.install(settings, app.state.db)

    # Innermost: a cached page is still rate-limited and gets the security headers and cookies.
    app.state.page_cache = PageCache(settings.page_cache_entries)
    app.add_middleware(PageCacheMiddleware, db=lambda: app.state.db, rules=forum_page_cache.RULES,
                       cache=app.state.page_cache)
    app.add_middleware(RateLimitMiddleware)  # inside WebMiddleware: a 429 gets the headers and the language
    # Inside WebMiddleware too (a 413 in the page's language), before anything reads a body.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(WebMiddleware, secret=app.state.secret, secure_cookies=settings.secure_cookies,
                       default_locale=settings.default_locale, hsts=settings.hsts)
    app.add_middleware(HeadMiddleware)  # HEAD wherever GET: every layer inside sees a GET
    app.add_middleware(RequestLogMiddleware)  # outermost: times and logs everything
    errors.install(app)
    openapi.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    _include_routers(app)
    resources_content.library()  # malformed reviewed pages fail here, at start-up, not on a reader

    # The visitor's language as the web middleware chose it for this request (cookie, Accept-Language, default).
    @app.get("/", include_in_schema=False, name="root")
    def root() -> Response:
        return RedirectResponse(f"/{i18n.get_locale()}/", status_code=303)

    @app.get("/help", include_in_schema=False, name="help_any_language")
    def help_any_language() -> Response:
        """The help lines at an address one can type or say in any language, in the visitor's."""
        return RedirectResponse(f"/{i18n.get_locale()}/help", status_code=303)

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> Response:
        body = "User-agent: *\nDisallow: /api/\nDisallow: /*/account\nDisallow: /*/diary\n"
        return Response(body, media_type="text/plain")

    dispatch_by_prefix(app.router)  # /api/v1 requests skip the /{lang} page routes
    return app


def _include_routers(app: FastAPI) -> None:
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.accounts.permissions import PAGE_HOOKS, page_viewer
    from app.diary import api as diary_api
    from app.diary import views as diary_views
    from app.forum import api as forum_api
    from app.forum import views as forum_views
    from app.member_data import api as member_data_api
    from app.member_data import views as member_data_views
    from app.notifications import api as notifications_api
    from app.notifications import views as notifications_views
    from app.onboarding import views as onboarding_views
    from app.research import api as research_api
    from app.research import views as research_views
    from app.research.install import install as install_research
    from app.resources import api as resources_api
    from app.resources import views as resources_views
    from app.review import api as review_api
    from app.review import views as review_views
    from app.search import api as search_api
    from app.search import views as search_views
    from app.web import templating

    pages = page_dependencies(page_viewer)
    for module in (accounts_views, member_data_views, forum_views, review_views, diary_views, search_views,
                   resources_views, onboarding_views, research_views, notifications_views):
        app.include_router(module.router, prefix="/{lang}", dependencies=pages)
    for module in (accounts_api, forum_api, diary_api, search_api, resources_api, research_api, review_api,
                   member_data_api, notifications_api):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(review_api.reporting, prefix="/api/v1")
    app.include_router(forum_api.previews, prefix="/api/v1")
    app.include_router(diary_api.reference, prefix="/api/v1")
    install_research(app)
    # The header's bell: counted with the page's viewer, shown by base.html through this provider.
    if notifications_views.bell not in PAGE_HOOKS:
        PAGE_HOOKS.append(notifications_views.bell)
    if notifications_views.bell_context not in templating.CONTEXT_PROVIDERS:
        templating.CONTEXT_PROVIDERS.append(notifications_views.bell_context)
