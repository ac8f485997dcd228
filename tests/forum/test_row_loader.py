"""app.db.RowLoader: the session and thread lookups build the objects the ORM's select with joinedload loaded."""

from __future__ import annotations

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import AuthSession, User
from app.accounts.service import get_session_by_token, open_session
from app.db import Database
from app.forum.models import Category, Thread
from app.forum.permissions import load_thread
from app.settings import Settings
from tests.factories import make_category, make_thread, make_user


def _columns(obj: object) -> dict[str, object]:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def test_the_lookups_load_what_the_orm_loaded(db: Database, settings: Settings, session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author)
    token = open_session(session, settings, user=author, device="test")
    session.commit()
    thread_id = posted.thread.id

    with db.session(write=False) as orm:
        expected_thread = orm.scalars(select(Thread).options(joinedload(Thread.category))
                                      .where(Thread.id == thread_id)).one()
        expected_auth = orm.scalars(select(AuthSession).options(joinedload(AuthSession.user))).one()
        thread_columns, category_columns = _columns(expected_thread), _columns(expected_thread.category)
        auth_columns, user_columns = _columns(expected_auth), _columns(expected_auth.user)

    with db.session(write=False) as fresh:
        thread = load_thread(fresh, thread_id)
        auth = get_session_by_token(fresh, token)
        assert thread is not None and auth is not None
        assert _columns(thread) == thread_columns and _columns(thread.category) == category_columns
        assert _columns(auth) == auth_columns and _columns(auth.user) == user_columns
        for obj in (thread, thread.category, auth, auth.user):
            state = inspect(obj)
            assert state.persistent and not state.modified and obj in fresh
        assert fresh.get(Thread, thread_id) is thread and fresh.get(User, author.id) is auth.user
        assert load_thread(fresh, thread_id) is thread  # the identity map's object, as the ORM gives it
        assert load_thread(fresh, thread_id + 1000) is None
        assert get_session_by_token(fresh, "not-a-token") is None


def test_an_expired_object_in_the_session_is_filled_in_from_the_row(db: Database, session: Session) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, title="Titre d'origine")
    session.commit()
    thread_id = posted.thread.id
    with db.session(write=False) as own:
        thread = load_thread(own, thread_id)
        assert thread is not None
        own.expire(thread)
        session.execute(update(Thread).where(Thread.id == thread_id).values(title="Titre changé"))
        session.commit()
        own.rollback()  # a new snapshot (SQLite), as a new request would read
        again = load_thread(own, thread_id)
        assert again is thread and "title" in thread.__dict__  # filled in from the row, not refreshed by a query
        assert thread.title == "Titre changé"
        assert isinstance(thread.category, Category)
