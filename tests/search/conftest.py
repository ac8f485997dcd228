"""The search behaviour suite runs against every backend available here.

"database" is SQLite FTS5 or PostgreSQL full-text, following the `database_url`
parameter. Meilisearch runs only when FORUM_TEST_MEILI_URL points at a server
(deploy/ brings one up); otherwise it is skipped, and says why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.search import service
from app.search.backend import SearchBackend
from app.settings import SearchSettings

MEILI_URL = os.environ.get("FORUM_TEST_MEILI_URL", "")


@pytest.fixture(params=["database", "meilisearch"])
def backend(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[SearchBackend]:
    db = app.state.db
    if request.param == "database":
        chosen: SearchBackend = service.database_backend(db)
    else:
        if not MEILI_URL:
            pytest.skip("Meilisearch not available: set FORUM_TEST_MEILI_URL to a server (see deploy/)")
        from app.search.meili import Meili

        meili = Meili(SearchSettings(backend="meilisearch", meili_url=MEILI_URL,
                                     meili_key=os.environ.get("FORUM_TEST_MEILI_KEY", ""),
                                     meili_index=f"test_{uuid.uuid4().hex[:10]}"))
        meili.configure()
        chosen = meili
    app.state.search = chosen
    indexer = service.InProcessIndexer(db, chosen)
    db.on_outbox = indexer
    if request.param == "meilisearch":
        # Meilisearch is fed by a background thread: "wait" waits for it, then for the engine's tasks.
        engine_wait = chosen.wait  # type: ignore[attr-defined]
        chosen.wait = lambda: (indexer.wait_idle(), engine_wait())  # type: ignore[attr-defined]
    yield chosen
    indexer.stop()
    if request.param == "meilisearch":
        chosen.client.delete_index(chosen.index_name)  # type: ignore[attr-defined]
