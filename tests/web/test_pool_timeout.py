"""No free pooled database connection in time: a calm 503 with Retry-After in the reader's language, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

NL = "Het forum kan zijn database even niet bereiken"


def test_a_pool_timeout_is_a_503_in_the_readers_language(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("the pool settings are PostgreSQL's")
    tiny = settings.model_copy(update={"database_pool_size": 1, "database_max_overflow": 0,
                                       "database_pool_timeout": 0.3})
    application = create_app(tiny)
    engine = application.state.db.engine
    try:
        with TestClient(application, base_url="http://testserver") as client:
            assert client.get("/api/v1/categories").status_code == 200
            with engine.connect():  # the pool's only connection is busy elsewhere
                page = client.get("/nl/")
                api = client.get("/api/v1/categories", headers={"Accept-Language": "nl"})
                thread = client.get("/nl/t/1")
            assert client.get("/api/v1/categories").status_code == 200  # and back at once
    finally:
        application.state.db.dispose()
    for response in (page, api, thread):
        assert response.status_code == 503, (response.request.url, response.status_code, response.text[:300])
        assert response.headers["retry-after"].isdigit()
    assert NL in page.text and "<html" in page.text
    assert NL in api.json()["detail"]
