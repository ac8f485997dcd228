"""Asking once about a new consent text, without a query on every page.

Members who said yes under an older text are asked about the new one a
single time: a notice on their pages until they answer or choose "not now"
(both recorded). Who still has to be asked is cached per process for a
minute; with a single published text (the common case) nobody is, and no
query runs at all.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import Request

from app.db import Database
from app.research import service, texts


class ConsentPrompts:
    TTL_SECONDS = 60.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ids: set[int] = set()
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def needs(self, user_id: int) -> bool:
        if len(texts.documents("consent")) == 1:
            return False
        with self._lock:
            if time.monotonic() - self._loaded_at > self.TTL_SECONDS:
                with self.db.session(write=False) as session:
                    self._ids = service.users_to_ask(session)
                self._loaded_at = time.monotonic()
            return user_id in self._ids

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._ids.discard(user_id)


def template_context(request: Request) -> dict[str, Any]:
    viewer = getattr(request.state, "viewer", None)
    prompts: ConsentPrompts | None = getattr(request.app.state, "research_prompts", None)
    if viewer is None or prompts is None:
        return {}
    return {"research_prompt": prompts.needs(viewer.id)}
