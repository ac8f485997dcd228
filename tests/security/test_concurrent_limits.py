"""Limits and invariants hold when one member sends the same request twenty times at once (issue 9).

An outsider's attack showed that "check, then write" let every one of twenty
simultaneous requests pass a check that only the first should pass: twenty
reports of one post, several current taper plans, every reply under the hourly
limit, sign-ups past the per-client limit, and reactions miscounted. Here the
requests go through the application (its sessions, commit point and error
handler) from threads released together, on SQLite and PostgreSQL; the answers
must be the ones sequential requests would get, never a 500, and the database
must hold exactly what those answers said.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.diary.models import TaperPlan
from app.forum.models import Post, Reaction, Thread
from app.notifications.models import Notification, Preferences
from app.review.models import Report, ReviewItem
from app.security import csrf_token_for
from tests.factories import PASSWORD, csrf_from, logged_in_member, make_category, make_thread, make_user

AT_ONCE = 20


def at_once(count: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`send(i)` in `count` threads released together; every answer (a raised error fails the test)."""
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            answers[index] = send(index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [a for a in answers if not isinstance(a, httpx.Response)]
    assert not errors, errors[:3]
    return answers


def statuses(answers: list[httpx.Response]) -> Counter[int]:
    return Counter(a.status_code for a in answers)


class Members:
    """Logged-in API clients for members, each with its own session cookie (as separate browsers).

    The app is running (the `client` fixture started it); these clients send requests only, each in
    an event loop of its own, so requests from several threads run at once as on a server.
    """

    def __init__(self, app: Any, session: Session) -> None:
        self.app, self.session = app, session

    def client(self, user: User) -> TestClient:
        token = accounts.open_session(self.session, self.app.state.settings, user=user)
        self.session.commit()
        client = TestClient(self.app, base_url="http://testserver")
        client.cookies.set("tk_session", token)
        client.headers["X-CSRF-Token"] = csrf_token_for(self.app.state.secret, token)
        return client


@pytest.fixture
def members(client: TestClient, session: Session) -> Members:
    client.arrange_session = None  # type: ignore[attr-defined]  # the threads share no test session
    return Members(client.app, session)


def _forum(session: Session, *authors: str) -> tuple[list[User], int]:
    category = make_category(session)
    users = [make_user(session, name) for name in authors]
    posted = make_thread(session, category=category, author=users[0], title="Un fil pour tenir bon")
    session.commit()
    return users, posted.post.id


def _count(session: Session, query: Any) -> int:
    """What the requests committed; the test's transaction ends at once (on SQLite it holds the write lock)."""
    session.commit()
    try:
        return int(session.scalar(query) or 0)
    finally:
        session.commit()


def test_duplicate_reports_sent_at_once_store_one(members: Members, session: Session) -> None:
    (author, reporter), post_id = _forum(session, "Autrice", "Vigilante")
    client = members.client(reporter)
    client.headers["Accept-Language"] = "en"
    answers = at_once(AT_ONCE, lambda _i: client.post(f"/api/v1/posts/{post_id}/reports",
                                                      json={"reason": "stigma"}))
    assert statuses(answers) == {201: 1, 409: AT_ONCE - 1}, statuses(answers)
    assert all("already reported" in a.json()["detail"] for a in answers if a.status_code == 409)
    assert _count(session, select(func.count(Report.id)).where(Report.reporter_id == reporter.id)) == 1
    assert _count(session, select(func.count(ReviewItem.id)).where(ReviewItem.post_id == post_id)) == 1


def test_the_daily_report_limit_holds_at_once(members: Members, session: Session, settings: Any) -> None:
    settings.review.reports_per_day = 5
    category = make_category(session)
    author, reporter = make_user(session, "Bavarde"), make_user(session, "Zelee")
    post_ids = [make_thread(session, category=category, author=author, title=f"Fil {i}").post.id
                for i in range(AT_ONCE)]
    session.commit()
    client = members.client(reporter)
    answers = at_once(AT_ONCE, lambda i: client.post(f"/api/v1/posts/{post_ids[i]}/reports",
                                                     json={"reason": "stigma"}))
    assert statuses(answers) == {201: 5, 429: AT_ONCE - 5}, statuses(answers)
    assert all(0 < int(a.headers["Retry-After"]) <= 86400 for a in answers if a.status_code == 429)
    assert _count(session, select(func.count(Report.id)).where(Report.reporter_id == reporter.id)) == 5


def test_members_reporting_one_post_at_once_share_one_queue_item(members: Members, session: Session) -> None:
    names = [f"Veilleur{i}" for i in range(8)]
    users, post_id = _forum(session, "Auteur", *names)
    clients = [members.client(user) for user in users[1:]]
    reasons = ["stigma", "medical_advice", "worried", "sourcing"]
    answers = at_once(len(clients), lambda i: clients[i].post(f"/api/v1/posts/{post_id}/reports",
                                                              json={"reason": reasons[i % 4]}))
    assert statuses(answers) == {201: len(clients)}, [a.text for a in answers if a.status_code != 201]
    session.commit()
    items = session.scalars(select(ReviewItem).where(ReviewItem.post_id == post_id)).all()
    assert len(items) == 1
    assert {"report", "worried", "sourcing"} <= set(items[0].tag_list)  # no reason lost to another request


def test_taper_plans_saved_at_once_leave_one_current_plan(members: Members, session: Session) -> None:
    member = make_user(session, "Patiente")
    session.commit()
    client = members.client(member)
    # Different plans (identical ones make one version: test_plans.py), so each save adds a version.
    def plan(i: int) -> dict[str, object]:
        return {"drug": "lormetazepam", "start_dose_mg": 2, "mode": "percent", "reduction_percent": 5 + i % 20,
                "interval_days": 14, "start_date": dt.date.today().isoformat()}

    answers = at_once(AT_ONCE, lambda i: client.post("/api/v1/diary/plans", json=plan(i)))
    assert set(statuses(answers)) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    session.commit()
    stored = session.execute(select(TaperPlan.version, TaperPlan.superseded_at)
                             .where(TaperPlan.user_id == member.id)).all()
    session.commit()
    assert len(stored) == statuses(answers)[201]
    assert sorted(version for version, _ in stored) == list(range(1, len(stored) + 1))
    assert [version for version, superseded in stored if superseded is None] == [len(stored)]
    current = client.get("/api/v1/diary/plans").json()
    assert [p["version"] for p in current if p["current"]] == [len(stored)]


def test_the_hourly_posting_limit_holds_at_once(members: Members, session: Session, settings: Any) -> None:
    settings.trust.posts_per_hour = 6  # the thread's first post is one of them
    (member,), post_id = _forum(session, "Rapide")
    thread_id = _thread_of(session, post_id)
    client = members.client(member)
    answers = at_once(AT_ONCE, lambda i: client.post(f"/api/v1/threads/{thread_id}/posts",
                                                     json={"body": f"Réponse numéro {i}, courage à tous."}))
    assert statuses(answers) == {201: 5, 429: AT_ONCE - 5}, statuses(answers)
    assert all(0 < int(a.headers["Retry-After"]) <= 3600 for a in answers if a.status_code == 429)
    assert _count(session, select(func.count(Post.id)).where(Post.author_id == member.id)) == 6


def test_a_double_tap_gives_a_reaction_once(members: Members, session: Session) -> None:
    (author, fan), post_id = _forum(session, "Conteuse", "Admiratrice")
    client = members.client(fan)
    answers = at_once(AT_ONCE, lambda _i: client.post(f"/api/v1/posts/{post_id}/reactions",
                                                      json={"kind": "thanks", "given": True}))
    assert statuses(answers) == {200: AT_ONCE} and all(a.json() == {"given": True} for a in answers)
    assert _count(session, select(func.count(Reaction.id)).where(Reaction.post_id == post_id)) == 1
    answers = at_once(AT_ONCE, lambda _i: client.post(f"/api/v1/posts/{post_id}/reactions",
                                                      json={"kind": "thanks", "given": False}))
    assert statuses(answers) == {200: AT_ONCE} and all(a.json() == {"given": False} for a in answers)
    assert _count(session, select(func.count(Reaction.id)).where(Reaction.post_id == post_id)) == 0


def test_reactions_at_once_are_counted_exactly(members: Members, session: Session) -> None:
    names = [f"Soutien{i}" for i in range(12)]
    users, post_id = _forum(session, "Courageuse", *names)
    session.add(Preferences(user_id=users[0].id, reaction=True))  # the author wants to hear of reactions
    session.commit()
    clients = [members.client(user) for user in users[1:]]
    # Everyone gives "courage" at once; then half take it back while the others tap "toggle" twice.
    answers = at_once(len(clients), lambda i: clients[i].post(f"/api/v1/posts/{post_id}/reactions",
                                                              json={"kind": "courage"}))
    assert statuses(answers) == {200: len(clients)}
    answers = at_once(len(clients), lambda i: clients[i].post(f"/api/v1/posts/{post_id}/reactions",
                                                              json={"kind": "courage", "given": i % 2 == 0}))
    assert statuses(answers) == {200: len(clients)}
    givers = len(range(0, len(clients), 2))
    assert _count(session, select(func.count(Reaction.id)).where(Reaction.post_id == post_id)) == givers
    listed = clients[0].get(f"/api/v1/threads/{_thread_of(session, post_id)}/posts").json()["items"]
    assert listed[0]["reactions"] == {"courage": givers}
    grouped = _count(session, select(Notification.count).where(
        Notification.user_id == users[0].id, Notification.group_key == f"reaction:{post_id}:courage"))
    assert grouped == givers  # the author's grouped notification says the same


def _thread_of(session: Session, post_id: int) -> int:
    return _count(session, select(Post.thread_id).where(Post.id == post_id))


def test_sign_ups_from_one_client_at_once_stay_under_its_limit(client: TestClient, session: Session,
                                                              settings: Any) -> None:
    settings.throttle.signups_per_client = 3
    client.arrange_session = None  # type: ignore[attr-defined]
    answers = at_once(AT_ONCE, lambda i: client.post("/api/v1/accounts", json={
        "pseudonym": f"Nouvelle{i:02d}", "password": "a sturdy passphrase 42"}))
    assert statuses(answers) == {201: 3, 429: AT_ONCE - 3}, statuses(answers)
    assert _count(session, select(func.count(User.id))) == 3


def test_wrong_passwords_sent_at_once_are_throttled_as_one_by_one(client: TestClient, session: Session,
                                                                 settings: Any) -> None:
    """15 wrong passwords at once for one member: the first `per_pseudonym` are answered, the rest wait (QA 5)."""
    make_user(session, "Cible")
    session.commit()
    client.arrange_session = None  # type: ignore[attr-defined]
    answers = at_once(15, lambda _i: client.post("/api/v1/session", json={
        "pseudonym": "Cible", "password": "not the right one at all"}))
    free = settings.throttle.per_pseudonym
    assert statuses(answers) == {401: free, 429: 15 - free}, statuses(answers)
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)
    # The attempts were kept although every request failed; the owner's next try from there waits too.
    assert client.post("/api/v1/session", json={"pseudonym": "Cible", "password": PASSWORD}).status_code == 429


def test_wrong_passwords_from_a_known_browser_at_once_spend_its_budget_exactly(client: TestClient, session: Session,
                                                                               settings: Any) -> None:
    """With a device cookie: its own budget, the same compare-and-set; the account-wide lockout does not hold it."""
    from app.accounts import devices

    settings.throttle.per_device = 3
    make_user(session, "Cible")
    session.commit()
    client.arrange_session = None  # type: ignore[attr-defined]
    assert client.post("/api/v1/session", json={"pseudonym": "Cible", "password": PASSWORD}).status_code == 200
    assert client.cookies.get(devices.COOKIE)
    stranger = TestClient(client.app, base_url="http://testserver")  # same address, no device cookie
    free = settings.throttle.per_pseudonym
    strangers = at_once(10, lambda _i: stranger.post("/api/v1/session", json={"pseudonym": "Cible",
                                                                             "password": "a wrong guess"}))
    assert statuses(strangers) == {401: free, 429: 10 - free}, statuses(strangers)
    answers = at_once(10, lambda _i: client.post("/api/v1/session", json={"pseudonym": "Cible",
                                                                          "password": "my own typo"}))
    assert statuses(answers) == {401: 3, 429: 7}, statuses(answers)
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)


def test_the_client_limit_holds_at_once(client: TestClient, session: Session, settings: Any) -> None:
    settings.throttle.per_client = 4
    for i in range(AT_ONCE):
        make_user(session, f"Membre{i:02d}")
    session.commit()
    client.arrange_session = None  # type: ignore[attr-defined]
    answers = at_once(AT_ONCE, lambda i: client.post("/api/v1/session", json={
        "pseudonym": f"Membre{i:02d}", "password": "not the right one at all"}))
    assert statuses(answers) == {401: 4, 429: AT_ONCE - 4}, statuses(answers)


def test_right_passwords_sent_at_once_all_log_in(client: TestClient, session: Session,
                                                                    settings: Any) -> None:
    """A success gives its slots back: a member logging in from several tabs at once is never throttled."""
    settings.throttle.per_pseudonym = 2
    make_user(session, "Prudente")
    session.commit()
    client.arrange_session = None  # type: ignore[attr-defined]
    answers = at_once(8, lambda _i: client.post("/api/v1/session", json={"pseudonym": "Prudente",
                                                                        "password": PASSWORD}))
    assert statuses(answers) == {200: 8}, statuses(answers)  # successes clear the pair: never throttled


def _nonce_from(page: str) -> str:
    match = re.search(r'name="form_nonce" value="([^"]+)"', page)
    assert match is not None, "the composer carries no form nonce"
    return match.group(1)


def test_a_reply_form_sent_twice_at_once_and_again_posts_once(client: TestClient, session: Session) -> None:
    """No JavaScript: a double click sends the reply form twice at once, then it is resent (QA round 5)."""
    author = make_user(session, "Pressee")
    posted = make_thread(session, category=make_category(session), author=author, title="Un fil calme")
    thread_id = posted.thread.id
    session.commit()
    logged_in_member(client, session, "Doublon")
    page = client.get(f"/fr/t/{thread_id}").text
    form = {"csrf_token": csrf_from(page), "form_nonce": _nonce_from(page), "body": "Courage, tiens bon."}
    client.arrange_session = None  # type: ignore[attr-defined]
    answers = at_once(2, lambda _i: client.post(f"/fr/t/{thread_id}/reply", data=form, follow_redirects=False))
    answers.append(client.post(f"/fr/t/{thread_id}/reply", data=form, follow_redirects=False))
    assert statuses(answers) == {303: 3}, statuses(answers)
    query = select(Post.id).where(Post.body_md == "Courage, tiens bon.")
    post_id = _count(session, query)
    assert _count(session, select(func.count(Post.id)).where(Post.body_md == "Courage, tiens bon.")) == 1
    # Every answer takes the member to the one post, as if it had just been posted.
    assert all(f"/p/{post_id}" in a.headers["location"] for a in answers), [a.headers["location"] for a in answers]
    assert _count(session, select(Thread.post_count).where(Thread.id == thread_id)) == 2


def test_the_same_taper_plan_saved_at_once_is_created_once_and_answered_as_unchanged_after(
        members: Members, session: Session) -> None:
    member = make_user(session, "Patient")
    session.commit()
    client = members.client(member)
    plan = {"drug": "lormetazepam", "start_dose_mg": 2, "mode": "percent", "reduction_percent": 10,
            "interval_days": 14, "start_date": dt.date.today().isoformat()}
    answers = at_once(AT_ONCE, lambda _i: client.post("/api/v1/diary/plans", json=plan))
    codes = statuses(answers)
    assert codes[201] == 1 and codes[201] + codes[200] == AT_ONCE, codes  # 200: identical, no new version
    session.commit()
    assert session.scalar(select(func.count()).select_from(TaperPlan).where(TaperPlan.user_id == member.id)) == 1
