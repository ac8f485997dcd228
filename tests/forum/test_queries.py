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


# A reply through the API (bench/bench_posting.py's request) to a thread someone else watches: the session,
# the thread, the first posting-rate count, the post (its INSERT holds the final count), page versions, two
# counters, the auto-watch, the fan-out; then the search index (SQLite, in the same transaction: claim, FTS
# row, vocabulary; PostgreSQL: the member's turn is taken by the first count, the post's INSERT also writes
# its counters and outbox row, and the drain after the commit: claim and delete in one statement, documents,
# index lock and write). BEGIN, COMMIT and SAVEPOINTs not counted. Was 15 and 17 before the document came
# from the transaction's own objects and the final count joined the INSERT; 16 on PostgreSQL before its
# INSERT also made the two counters and the drain's claim deleted the rows it took, 13 before the first
# count took the member's turn, 12 before the INSERT wrote the outbox row.
MAX_REPLY_STATEMENTS = {"sqlite": 12, "postgresql": 11}


def test_a_reply_through_the_api_costs_a_fixed_small_number_of_statements(app: FastAPI, client: TestClient,
                                                                         session: Session) -> None:
    from tests.factories import api_login

    author, member = make_user(session), make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    thread_id = posted.post.thread_id
    session.commit()
    token = api_login(client, member.pseudonym)
    for body in ("Première réponse, pour chauffer.", "Courage, on est avec toi."):
        with count_queries(app) as statements:
            response = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body},
                                   headers={"X-CSRF-Token": token})
        assert response.status_code == 201, response.text
    dialect = app.state.db.engine.dialect.name
    assert len(statements) <= MAX_REPLY_STATEMENTS[dialect], "\n".join(statements)


def test_a_suspended_account_lists_the_categories_a_visitor_sees(session: Session) -> None:
    """The category list follows the category page: a suspended or banned account sees what a
    visitor sees (an outsider's attack found the members-only category listed, its pages 404)."""
    from app.accounts.models import Restriction
    from app.forum.models import Visibility
    from app.forum.queries import list_categories

    public = make_category(session, visibility=Visibility.public)
    members = make_category(session, visibility=Visibility.members)
    member = make_user(session)
    suspended = make_user(session)
    suspended.restriction = Restriction.suspended.value
    session.flush()
    listed = {c.id for c, *_ in list_categories(session, suspended)}
    assert public.id in listed and members.id not in listed
    assert {public.id, members.id} <= {c.id for c, *_ in list_categories(session, member)}
    assert members.id not in {c.id for c, *_ in list_categories(session, None)}
