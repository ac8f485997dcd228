"""Requests sent at once that create the same row once: the later ones answer as they would one moment later.

QA: 8 appeals of one statement at once gave one 201 and seven 500s (one at a time: 409); 10 watches of one
category at once, nine 500s; two moderators claiming an item at once, 500s; 10 diary entries for one new day,
all "201 created". Round 32 (outsider, PostgreSQL): a member's first research answer, diary settings or
questions, a moderator's first crisis pause, two downloads asked at once, and two first diary days with the
taper line on each inserted the member's one row twice (500s). Each race is replayed with two request sessions
on two threads: the first writes and waits a moment before committing, while the second reads and writes the
same rows (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import reveal
from app.accounts import service as accounts
from app.accounts.models import Reveal, User
from app.db import Database
from app.diary import service as diary
from app.diary import sharing
from app.diary.models import DiarySettings, TaperLine
from app.errors import Conflict, ValidationFailed
from app.forum.models import Category
from app.member_data import service as member_data
from app.member_data.models import DataExport
from app.notifications import service as notifications
from app.notifications.models import CategoryWatch
from app.research import service as research
from app.research.models import ConsentEvent
from app.review import appeals, decisions
from app.review import service as review
from app.review.decision_checks import DecisionInput, Target
from app.review.models import Appeal, ModeratorSettings, ReviewItem, Statement
from app.settings import Settings
from app.web.middleware import SESSION_COOKIE
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


def _member_work(member_id: int, act: Callable[[Session, User], object]) -> Work:
    def work(s: Session) -> object:
        user = s.get(User, member_id)
        assert user is not None
        return act(s, user)
    return work


def test_asking_for_ones_data_twice_at_once(db: Database, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(member_data, "start_building", lambda db: None)  # no zip built after the test's end
    member_id = make_user(session, "Curieuse").id
    session.commit()
    ask = _member_work(member_id, lambda s, user: member_data.request_export(s, user=user).status.value)
    assert _race(db, ask, ask) == ("pending", "pending")  # a double click: one download, asked again
    assert session.scalar(select(func.count()).select_from(DataExport)) == 1


def test_a_first_research_answer_sent_twice_at_once(db: Database, session: Session) -> None:
    member_id = make_user(session, "Chercheuse").id
    session.commit()
    answer = _member_work(member_id, lambda s, user: research.set_consent(s, user=user, posts=True, diary=False,
                                                                          lang="fr").posts)
    assert _race(db, answer, answer) == (True, True)
    # The second saw the first's answer: one grant in the history, not two.
    assert session.scalar(select(func.count(ConsentEvent.id))) == 1


def test_diary_settings_and_questions_saved_at_once(db: Database, session: Session) -> None:
    member_id = make_user(session, "Prudente").id
    session.commit()
    share = _member_work(member_id, lambda s, user: diary.update_settings(
        s, user=user, visibility="members", taper_line_on=True).visibility.value)
    assert _race(db, share, share) == ("members", "members")
    other_id = make_user(session, "Questionneuse").id
    session.commit()
    ask = _member_work(other_id, lambda s, user: diary.save_questions(s, user=user,
                                                                      questions="Et le sommeil ?").questions)
    assert _race(db, ask, ask) == ("Et le sommeil ?", "Et le sommeil ?")
    assert session.scalar(select(func.count()).select_from(DiarySettings)) == 2


def test_a_moderators_first_crisis_pause_sent_twice_at_once(db: Database, session: Session) -> None:
    moderator_id = moderator(session, "Modo").id
    session.commit()
    pause = _member_work(moderator_id, lambda s, user: review.pause_crisis_items(s, viewer=user, hours=2) or "paused")
    assert _race(db, pause, pause) == ("paused", "paused")
    assert session.scalar(select(func.count()).select_from(ModeratorSettings)) == 1


def test_two_first_days_with_the_taper_line_on_saved_at_once(db: Database, session: Session) -> None:
    member = make_user(session, "Diminue")
    diary.update_settings(session, user=member, visibility="private", taper_line_on=True)
    member_id = member.id
    session.commit()
    today = dt.date.today()

    def save_on(day: dt.date, dose: float) -> Work:
        return _member_work(member_id, lambda s, user: diary.save_entry(s, user=user, data=diary.EntryInput(
            day=day, medications=[diary.MedicationInput("lormetazepam", dose)])).created)

    assert _race(db, save_on(today - dt.timedelta(days=1), 2.0), save_on(today, 1.5)) == (True, True)
    line = session.scalars(select(TaperLine)).one()
    # The line reads both days, whichever committed first: started at 2 mg, now at 1.5 mg.
    assert (line.first_dose_mg, line.latest_dose_mg) == (2.0, 1.5)


def test_a_share_link_made_twice_at_once_keeps_to_the_limit(db: Database, session: Session) -> None:
    member = make_user(session, "Partage")
    for number in range(sharing.MAX_ACTIVE_LINKS - 1):
        sharing.create_share_link(session, user=member, label=f"Lien {number}")
    member_id = member.id
    session.commit()
    make = _member_work(member_id, lambda s, user: sharing.create_share_link(s, user=user, label="Mon médecin")[0].id)
    first, second = _race(db, make, make)
    assert isinstance(first, int) and isinstance(second, ValidationFailed), second  # the limit, not an eleventh
    assert len(sharing.list_share_links(session, user=member)) == sharing.MAX_ACTIVE_LINKS


def test_a_secret_kept_twice_at_once_for_one_session(db: Database, session: Session, settings: Settings) -> None:
    """A double click on "make a link": both requests keep the new address for the browser's next page."""
    member = make_user(session, "Clic")
    token = accounts.open_session(session, settings, user=member)
    session.commit()
    request = SimpleNamespace(state=SimpleNamespace(cookies={SESSION_COOKIE: token}),
                              app=SimpleNamespace(state=SimpleNamespace(secret=b"s" * 32)))

    def keep(s: Session) -> object:
        reveal.keep(request, s, "link", "https://forum.example/fr/diary/shared/abc")  # type: ignore[arg-type]
        return "kept"

    assert _race(db, keep, keep) == ("kept", "kept")
    assert session.scalar(select(func.count(Reveal.id))) == 1
