"""The migrations build the models' schema exactly: `alembic check` on a freshly migrated database.

CI runs only the test suite, so the drift check lives here, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

from app.cli import alembic_config
from app.db import sqlalchemy_url
from app.diary.models import TaperPlan
from app.forum.models import Post, Thread
from app.review.models import Report
from tests.conftest import BACKENDS, pg_database
from tests.factories import make_category, make_user


def test_one_head() -> None:
    """Parallel branches re-point their first revision after a rebase (see the brief): one head only."""
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_models_and_migrations_agree(database_url: str) -> None:
    # The database_url fixture is a copy of a database migrated to head; check raises on any difference.
    command.check(alembic_config(database_url))


def test_a_populated_sqlite_database_upgrades(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite rebuilds tables to alter them: with rows pointing at a rebuilt table, the upgrade once
    failed with "FOREIGN KEY constraint failed" (foreign keys are off during migrations, then checked)."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "review0001")  # before forum_categories is rebuilt
    with sqlite3.connect(tmp_path / "old.sqlite3") as old:
        old.execute("INSERT INTO forum_categories (slug, position, visibility, clover, premoderate_newcomers, "
                    "name_fr, name_nl, name_en, description_fr, description_nl, description_en) "
                    "VALUES ('x', 0, 'public', '', 0, 'a', 'b', 'c', '', '', '')")
        old.execute("INSERT INTO forum_threads (category_id, title, lang, status, pinned, locked, post_count, "
                    "last_post_at, created_at) SELECT id, 't', 'fr', 'published', 0, 0, 0, '2026-01-01', "
                    "'2026-01-01' FROM forum_categories")
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(tmp_path / "old.sqlite3") as upgraded:
        assert upgraded.execute("SELECT count(*) FROM forum_threads").fetchone() == (1,)
        assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with pg_database("forum_migrate") as url:
        yield url


def test_duplicates_left_by_concurrent_requests_are_folded_before_the_unique_indexes(empty_database: str) -> None:
    """security0003: reports and plans stored twice by requests sent at once (issue 9) must not stop the upgrade."""
    command.upgrade(alembic_config(empty_database), "speed0001")
    engine = create_engine(sqlalchemy_url(empty_database))
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        author, reporter = make_user(session, "Autrice"), make_user(session, "Vigilante")
        # In Core, naming the columns this revision has: the ORM would write today's (form_nonce and
        # withheld_status came later).
        thread_id = session.execute(insert(Thread.__table__).values(  # type: ignore[arg-type]
            category_id=make_category(session).id, author_id=author.id, title="Un fil", lang="fr",
            status="published", pinned=False, locked=False, slow_mode_seconds=0, last_post_at=now,
            created_at=now, post_count=1).returning(Thread.__table__.c.id)).scalar_one()
        post_id = session.execute(insert(Post.__table__).values(  # type: ignore[arg-type]
            thread_id=thread_id, author_id=author.id, body_md="Bonjour.", body_html="<p>Bonjour.</p>",
            status="published", notices="", created_at=now).returning(Post.__table__.c.id)).scalar_one()
        texts = ["", "Des mots blessants.", "Des mots blessants.", "Et encore."]
        session.add_all(Report(post_id=post_id, reporter_id=reporter.id, reason="stigma", text=t, created_at=now)
                        for t in texts)
        session.add(Report(post_id=post_id, reporter_id=reporter.id, reason="stigma", outcome="no_action",
                           created_at=now))  # decided: not an open duplicate
        plan = {"drug": "lormetazepam", "molecule": "lormetazepam", "mode": "percent", "start_date": now.date(),
                "start_dose_mg": 2.0, "interval_days": 14, "ceiling_percent": 10.0, "created_at": now}
        session.add_all(TaperPlan(user_id=author.id, version=v, **plan) for v in (1, 2, 3))
        session.commit()
        author_id = author.id
    command.upgrade(alembic_config(empty_database), "head")
    with Session(engine) as session:
        open_reports = session.scalars(select(Report).where(Report.outcome == "")).all()
        assert len(open_reports) == 1
        assert open_reports[0].text == "Des mots blessants.\n\nEt encore."  # nothing a reporter wrote is lost
        assert session.scalar(select(func.count(Report.id))) == 2
        current = session.scalars(select(TaperPlan.version).where(TaperPlan.user_id == author_id,
                                                                  TaperPlan.superseded_at.is_(None))).all()
        assert current == [3]
    engine.dispose()


def test_posts_holding_a_quote_are_queued_for_their_document_without_it(empty_database: str) -> None:
    """search0007: documents leave out quotes of other posts; posts indexed with one are re-indexed."""
    from app.markdown import quote
    from app.search.models import OutboxEntry

    command.upgrade(alembic_config(empty_database), "accounts0002")
    engine = create_engine(sqlalchemy_url(empty_database))
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        author = make_user(session, "Autrice")
        thread_id = session.execute(insert(Thread.__table__).values(  # type: ignore[arg-type]
            category_id=make_category(session).id, author_id=author.id, title="Un fil", lang="fr",
            status="published", pinned=False, locked=False, slow_mode_seconds=0, last_post_at=now,
            created_at=now, post_count=3).returning(Thread.__table__.c.id)).scalar_one()
        ids = {}
        for name, body, status in (("plain", "Bonjour **à tous**: ça va ?", "published"),
                                   ("quoting", quote("Partante", "Ses mots.") + "Mes mots.", "published"),
                                   ("hidden", quote("Partante", "Ses mots.") + "Mes mots.", "hidden")):
            ids[name] = session.execute(insert(Post.__table__).values(  # type: ignore[arg-type]
                thread_id=thread_id, author_id=author.id, body_md=body, body_html="<p>x</p>", status=status,
                notices="", created_at=now).returning(Post.__table__.c.id)).scalar_one()
        session.commit()
    command.upgrade(alembic_config(empty_database), "head")
    with Session(engine) as session:
        queued = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id)).all()
        assert [tuple(row) for row in queued] == [("post", ids["quoting"])]
    engine.dispose()


def test_direction_overrides_saved_before_they_were_refused_are_stripped(empty_database: str) -> None:
    """forum0003: titles, bodies, private messages and notes lose their embeddings, overrides and isolates;
    the marks (LRM) stay in bodies, and a thread whose title changed is queued for its documents."""
    from app.diary.models import Entry
    from app.review.models import Conversation, Message
    from app.search.models import OutboxEntry

    command.upgrade(alembic_config(empty_database), "search0007")
    engine = create_engine(sqlalchemy_url(empty_database))
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        author, modo = make_user(session, "Autrice"), make_user(session, "Modo")
        category_id = make_category(session).id
        thread_ids = [session.execute(insert(Thread.__table__).values(  # type: ignore[arg-type]
            category_id=category_id, author_id=author.id, title=title, lang="fr", status="published",
            pinned=False, locked=False, slow_mode_seconds=0, last_post_at=now, created_at=now,
            post_count=1).returning(Thread.__table__.c.id)).scalar_one()
            for title in ("Semaine \u202e3 gnp.exe\u202c", "Un fil normal")]
        post_id = session.execute(insert(Post.__table__).values(  # type: ignore[arg-type]
            thread_id=thread_ids[1], author_id=author.id, body_md="voir \u2067ceci\u2069 et \u200eça",
            body_html="<p>voir \u2067ceci\u2069 et \u200eça</p>", status="published", notices="",
            created_at=now).returning(Post.__table__.c.id)).scalar_one()
        conversation = Conversation(member_id=author.id, subject="Au \u202bsujet", started_by_id=modo.id,
                                    last_message_at=now, created_at=now)
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, author_id=author.id, from_staff=False,
                            body_md="Merci \u202dbien", body_html="<p>Merci \u202dbien</p>", created_at=now))
        session.execute(insert(Entry.__table__).values(  # type: ignore[arg-type]
            user_id=author.id, day=now.date(), symptoms={}, note="\u202eomgekeerd", updated_at=now))
        session.commit()
    command.upgrade(alembic_config(empty_database), "head")
    with Session(engine) as session:
        assert session.scalars(select(Thread.title).order_by(Thread.id)).all() == ["Semaine 3 gnp.exe",
                                                                                  "Un fil normal"]
        post = session.execute(select(Post.body_md, Post.body_html).where(Post.id == post_id)).one()
        assert tuple(post) == ("voir ceci et \u200eça", "<p>voir ceci et \u200eça</p>")
        assert session.scalar(select(Conversation.subject)) == "Au sujet"
        assert tuple(session.execute(select(Message.body_md, Message.body_html)).one()) == (
            "Merci bien", "<p>Merci bien</p>")
        assert session.scalar(select(Entry.note)) == "omgekeerd"
        queued = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id)).all()
        assert [tuple(row) for row in queued] == [("thread", thread_ids[0])]
    engine.dispose()
