"""Query-count guards: list pages cost a constant, small number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.forum.models import Reaction, ReactionKind
from tests.factories import html_login, make_category, make_reply, make_thread, make_user

# The viewer's session, the page's own loads, the visit stamp, and what the domains above add:
# the header's unread count, the viewer's watch level and, on a thread page, marking read the
# notifications about the posts shown (one statement each, see tests/notifications), and which of
# the viewer's own posts they marked "never quote" (research).
MAX_QUERIES = 9


@contextmanager
def count_queries(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.state.db.engine

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("page_size", [5, 20])
def test_thread_page_query_count_is_constant(app: FastAPI, client: TestClient, session: Session,
                                             page_size: int) -> None:
    app.state.settings.thread_page_size = page_size
    members = [make_user(session) for _ in range(6)]
    posted = make_thread(session, category=make_category(session), author=members[0])
    for index in range(24):
        reply = make_reply(session, posted=posted, author=members[index % 6], body=f"réponse {index}")
        session.add(Reaction(post_id=reply.post.id, user_id=members[(index + 1) % 6].id, kind=ReactionKind.thanks))
    session.commit()
    thread_id = posted.post.thread_id  # read now: an expired attribute would load inside the count
    html_login(client, members[1].pseudonym)
    client.get(f"/fr/t/{thread_id}")  # first visit inserts the visit row
    with count_queries(app) as statements:
        response = client.get(f"/fr/t/{thread_id}")
    assert response.status_code == 200
    assert response.text.count('class="post post-') == page_size
    assert len(statements) <= MAX_QUERIES, "\n".join(statements)


@pytest.mark.parametrize("page_size", [5, 20])
def test_category_page_query_count_is_constant(app: FastAPI, client: TestClient, session: Session,
                                               page_size: int) -> None:
    app.state.settings.category_page_size = page_size
    members = [make_user(session) for _ in range(4)]
    category = make_category(session, "busy")
    for index in range(22):
        make_thread(session, category=category, author=members[index % 4], title=f"Fil {index}")
    session.commit()
    html_login(client, members[0].pseudonym)
    with count_queries(app) as statements:
        response = client.get("/fr/c/busy?langs=all")
    assert response.status_code == 200
    assert response.text.count('class="thread-row') == page_size
    assert len(statements) <= MAX_QUERIES, "\n".join(statements)
