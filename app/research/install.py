"""Wiring research into the app without the other domains importing it.

Research depends on accounts, forum, diary and review; none of them imports
research (member_data, which sits above every domain, calls its service for
the member's download and account deletion). The consent notice in the page
frame is registered here, from create_app(), so web imports no domain; the
routers are mounted by create_app() with every other domain's; the "never quote" control under
the member's own posts hangs on the forum's per-post extension point (app/forum/extensions.py).
"""

from __future__ import annotations

from fastapi import FastAPI

from app.forum import extensions
from app.research import prompt, service

NEVER_QUOTE_TEMPLATE = "research/_never_quote.html"


def install(app: FastAPI) -> None:
    app.state.research_prompts = prompt.ConsentPrompts(app.state.db)
    # The "never quote" control under each of the member's own posts, and the mark in the post API.
    extensions.register(service.post_marks, footer_template=NEVER_QUOTE_TEMPLATE)
    from app.web import templating

    if prompt.template_context not in templating.CONTEXT_PROVIDERS:
        templating.CONTEXT_PROVIDERS.append(prompt.template_context)
