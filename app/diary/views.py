"""HTML routes of the diary under /{lang}/diary, split by sub-topic; all private (noindex)."""

from __future__ import annotations

from app.diary import views_entries, views_plans, views_reports, views_sharing
from app.web.routing import html_router

router = html_router()
for module in (views_entries, views_plans, views_sharing, views_reports):
    router.include_router(module.router)
