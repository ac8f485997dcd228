"""SIGKILL mid-burst, again and again: every post that got a 201 is there afterwards, word for word."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db import Database
from app.forum.models import Post
from app.settings import Settings
from tests.served import ServedApp, assert_logs_private, log_in, member_with_category

# Kills per database. On SQLite the killed process is the database: each kill may leave a WAL and a
# half-written page for the next start to recover, so it gets the most rounds. On PostgreSQL the kill
# only cuts the app's connections and the server rolls back what was not committed: what is left to
# prove there is the app's half (no 201 before the commit), the same code as on SQLite, where ten
# rounds exercise it; four more on PostgreSQL prove that its driver's commit path holds too. Each
# round starts the app again: forked from a process that has already imported it (ServedApp's
# preload), since the imports were most of a cold start (over ten seconds each on a loaded CI
# machine) and have nothing to do with what a kill can lose.
ROUNDS = {"sqlite": 10, "postgresql": 4}
WRITERS = 2


class Writer(threading.Thread):
    """Posts as fast as the server lets it; remembers what was acknowledged and what was left in doubt."""

    def __init__(self, app: ServedApp, pseudonym: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.app, self.pseudonym, self.stop = app, pseudonym, stop
        self.acknowledged: dict[int, str] = {}  # post id -> body, for every 201
        self.in_doubt = 0  # requests cut off by the kill: may or may not have been saved
        self.failures: list[str] = []
        self.token = ""

    def run(self) -> None:
        n = 0
        with self.app.client(timeout=5) as client:
            while not self.stop.is_set():
                try:
                    if not self.token:
                        self.token = log_in(client, self.pseudonym)
                    n += 1
                    body = f"{self.pseudonym} message {n} kq{n:05d}z"
                    response = client.post("/api/v1/categories/tapering-now/threads",
                                           headers={"X-CSRF-Token": self.token},
                                           json={"title": f"Essai {n}", "body": body, "lang": "fr"})
                except httpx.TransportError:
                    self.in_doubt += 1
                    time.sleep(0.02)  # the server is down or restarting
                    continue
                if response.status_code == 201:
                    self.acknowledged[int(response.json()["first_post_id"])] = body
                else:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")


@pytest.mark.slow
def test_sigkill_mid_burst_loses_no_acknowledged_post(settings: Settings, db: Database, tmp_path: Path) -> None:
    pseudonyms = [f"Ecrivaine{i}" for i in range(WRITERS)]
    member_with_category(db, pseudonyms[0], "tapering-now")
    with Session(db.engine) as session:
        from tests.factories import make_user

        for name in pseudonyms[1:]:
            make_user(session, name)
        session.commit()
    # The writers post far faster than people: the posting limits (trust) would answer 429.
    app = ServedApp(settings, tmp_path, preload=True, FORUM_TRUST__POSTS_PER_HOUR="1000000",
                    FORUM_TRUST__NEWCOMER_POSTS_PER_HOUR="1000000")
    stop = threading.Event()
    writers = [Writer(app, name, stop) for name in pseudonyms]
    rng = random.Random(14)
    rounds = ROUNDS[db.engine.dialect.name]
    acknowledged_at_kill = []
    try:
        app.start()
        for writer in writers:
            writer.start()
        for _round in range(rounds):
            before = sum(len(w.acknowledged) for w in writers)
            deadline = time.monotonic() + 30
            while sum(len(w.acknowledged) for w in writers) < before + 3 and time.monotonic() < deadline:
                assert any(w.is_alive() for w in writers), "the writers stopped"
                time.sleep(0.01)  # mid-burst: posts are flowing
            time.sleep(rng.uniform(0.2, 0.8))
            app.kill()
            acknowledged_at_kill.append(sum(len(w.acknowledged) for w in writers))
            app.start()
        time.sleep(0.3)
    finally:
        stop.set()
        for writer in writers:
            writer.join(15)
        app.stop()

    acknowledged = {post_id: body for w in writers for post_id, body in w.acknowledged.items()}
    with Session(db.engine) as session:
        stored = {p.id: p.body_md for p in session.scalars(select(Post).where(Post.id.in_(acknowledged)))}
        if db.is_sqlite:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    lost = {post_id for post_id, body in acknowledged.items() if stored.get(post_id) != body}
    in_doubt = sum(w.in_doubt for w in writers)
    print(f"\n[{db.engine.dialect.name}] {rounds} SIGKILLs, {len(acknowledged)} posts acknowledged with 201, "
          f"{len(lost)} lost; {in_doubt} requests cut off or refused while down")
    assert not [f for w in writers for f in w.failures], [f for w in writers for f in w.failures][:5]
    assert len(acknowledged) >= rounds * 3 and acknowledged_at_kill == sorted(acknowledged_at_kill)
    assert not lost, f"{len(lost)} acknowledged posts lost: {sorted(lost)[:10]}"
    assert_logs_private(app.logs(), *pseudonyms, "message 1 kq")
