"""Requests sent at once that create the same row once: the later ones answer as they would one moment later.

QA: 8 appeals of one statement at once gave one 201 and seven 500s (one at a time: 409); 10 watches of one
category at once, nine 500s; two moderators claiming an item at once, 500s; 10 diary entries for one new day,
all "201 created". Each race is replayed with two request sessions on two threads: the first writes and
waits a moment before committing, while the second reads and writes the same rows (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import Database
from app.diary import service as diary
from app.errors import Conflict
from app.forum.models import Category
from app.notifications import service as notifications
from app.notifications.models import CategoryWatch
from app.review import appeals, decisions
from app.review import service as review
from app.review.decision_checks import DecisionInput, Target
from app.review.models import Appeal, ReviewItem, Statement
from app.settings import Settings
from tests.factories import make_category, make_user
from tests.review.helpers import CRISIS, moderator, open_item, post

Work = Callable[[Session], object]


def _race(db: Database, first: Work, second: Work) -> tuple[object, object]:
    """`first` runs and holds its transaction open for a moment; `second` runs meanwhile. Their results
    (or the exceptions they raised)."""
    results: dict[str, object] = {}
    written = threading.Event()

    def run(name: str, work: Work, hold: float) -> None:
        if name == "second":
            written.wait(10)
        with db.request_session(write=True) as session:
            try:
                results[name] = work(session)
                session.flush()
                written.set()
                time.sleep(hold)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - the result under test
                session.rollback()
                results[name] = exc
            finally:
                written.set()

    threads = [threading.Thread(target=run, args=("first", first, 0.4)),
               threading.Thread(target=run, args=("second", second, 0.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results["first"], results["second"]


def test_watching_a_category_twice_at_once(db: Database, session: Session) -> None:
    member = make_user(session, "Membre")
    category = make_category(session, "tapering-now")
    ids = member.id, category.id
    session.commit()

    def watch(s: Session) -> object:
        user, cat = s.get(User, ids[0]), s.get(Category, ids[1])
        assert user is not None and cat is not None
        return notifications.set_category_level(s, user=user, category=cat, level="watching")

    first, second = _race(db, watch, watch)
    assert first == second == "watching"
    assert session.scalar(select(func.count(CategoryWatch.id))) == 1


def test_two_moderators_claiming_at_once(db: Database, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), CRISIS)
    first_id, second_id = moderator(session, "Modo1").id, moderator(session, "Modo2").id
    item_id = open_item(session, posted.post.id).id
    session.commit()

    def claim(moderator_id: int) -> Work:
        def work(s: Session) -> object:
            item, viewer = s.get(ReviewItem, item_id), s.get(User, moderator_id)
            assert item is not None and viewer is not None
            review.claim(s, item=item, viewer=viewer, minutes=15)
            return "claimed"
        return work

    first, second = _race(db, claim(first_id), claim(second_id))
    assert first == "claimed" and isinstance(second, Conflict), second
    again = _race(db, claim(first_id), claim(first_id))  # the same moderator twice: the claim is renewed
    assert again == ("claimed", "claimed")


def test_appealing_twice_at_once(db: Database, session: Session, settings: Settings) -> None:
    member = make_user(session, "Averti")
    outcome = decisions.act(session, settings, target=Target(post=None, thread=None, member=member),
                            actor=moderator(session, "Modo"),
                            data=DecisionInput(action="warn", reason="Ton message était blessant.", rule="respect"))
    assert outcome.statement is not None
    ids = outcome.statement.id, member.id
    session.commit()

    def appeal(s: Session) -> object:
        statement, user = s.get(Statement, ids[0]), s.get(User, ids[1])
        assert statement is not None and user is not None
        return appeals.create_appeal(s, statement=statement, appellant=user, text="Je ne comprends pas.").id

    first, second = _race(db, appeal, appeal)
    assert isinstance(first, int) and isinstance(second, Conflict), second
    assert session.scalar(select(func.count(Appeal.id))) == 1


def test_two_entries_for_one_new_day_at_once(db: Database, session: Session) -> None:
    member_id = make_user(session, "Diariste").id
    session.commit()
    day = dt.date.today()

    def save(s: Session) -> object:
        user = s.get(User, member_id)
        assert user is not None
        data = diary.EntryInput(day=day, note="Nuit difficile.", provided=frozenset({"note"}))
        return diary.save_entry(s, user=user, data=data).created

    assert _race(db, save, save) == (True, False)  # the second merged into the first: not "created"
