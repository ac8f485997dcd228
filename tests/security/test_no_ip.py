"""No IP address anywhere after a run over every route: database (and SQLite's WAL), logs, search documents.

The client comes from a real-looking address and also sends a spoofed
X-Forwarded-For (the peer is no trusted proxy, so it must be ignored). After
posting, searching and a pass over every route of the route table, neither
address appears in any table, in the SQLite files, or in anything logged.
That a spoofed header does not change the rate-limit bucket is shown in
tests/security/test_rate_limits.py.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.security import csrf_token_for
from app.web.middleware import SESSION_COOKIE
from tests.factories import make_category, make_thread, make_user
from tests.security.routes import iter_routes

PEER = "198.51.100.23"
SPOOFED = "203.0.113.77"
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _everything_stored(session: Session) -> str:
    """Every row of every table, as text."""
    metadata = MetaData()
    metadata.reflect(bind=session.get_bind())
    return "\n".join(str(row) for table in metadata.sorted_tables for row in session.execute(select(table)))


def test_no_address_is_kept_anywhere(app, session: Session, settings, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    member = make_user(session, "SansAdresse")
    category = make_category(session)
    posted = make_thread(session, category=category, author=member)
    token = accounts.open_session(session, settings, user=member)
    values = {"lang": "fr", "thread_id": str(posted.thread.id), "post_id": str(posted.post.id),
              "slug": category.slug, "day": "2026-01-01", "token": "x" * 20}
    session.commit()
    headers = {"X-Forwarded-For": SPOOFED, "X-Real-IP": SPOOFED, "Sec-Fetch-Site": "same-origin",
               "X-CSRF-Token": csrf_token_for(app.state.secret, token), "Cookie": f"{SESSION_COOKIE}={token}"}
    with TestClient(app, base_url="http://testserver", client=(PEER, 4711)) as client:
        reply = client.post(f"/api/v1/threads/{values['thread_id']}/posts", headers=headers,
                            json={"body": "Une réponse pour l'index de recherche."})
        assert reply.status_code == 201, reply.text
        assert client.get("/api/v1/search", params={"q": "réponse"}, headers=headers).status_code == 200
        requests = 0
        for route in iter_routes(app):
            if route.path.startswith("/static") or "logout" in route.name or "close" in route.name:
                continue
            url = _PARAM.sub(lambda m: values.get(m.group(1), "1"), route.path)
            for method in sorted(route.methods - {"HEAD"}):
                if "delete" in route.name or method == "DELETE":
                    continue  # the member and the thread stay for the rest of the run
                body = None if method == "GET" else {}
                client.request(method, url, headers=headers, json=body, follow_redirects=False)
                requests += 1
        assert requests > 100
    session.expire_all()
    stored = _everything_stored(session)
    logged = caplog.text
    for address in (PEER, SPOOFED):
        assert address not in stored
        assert address not in logged
    if settings.is_sqlite:
        base = Path(settings.database_url.removeprefix("sqlite:///"))
        for path in (base, base.with_name(base.name + "-wal")):
            if path.exists():
                raw = path.read_bytes()
                assert PEER.encode() not in raw and SPOOFED.encode() not in raw, path
