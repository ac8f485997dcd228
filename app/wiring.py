"""Connects the domains' listeners; called once by every entry point (create_app, the `forum` command, tests).

A domain never imports the domains built on it. Those subscribe here to what
it announces (forum.events), and the search outbox hangs on SQLAlchemy's
session events, so no entry point can post without the queue and the index
hearing of it.
"""

from __future__ import annotations


def connect() -> None:
    from app.forum import page_cache
    from app.member_data import service as member_data
    from app.notifications import listeners as notification_listeners
    from app.review import listeners as review_listeners
    from app.search import outbox  # noqa: F401  (registers the flush listener that fills the outbox)

    # Review first: it may release a held post, which the notifications then announce.
    review_listeners.connect()
    notification_listeners.connect()
    page_cache.connect()  # what makes a visitor's cached page stale
    member_data.connect()  # logging in during an erasure's grace period brings the withheld posts back
