"""Posting to a thread that 5,000 members watch: the request's time, and the fan-out's.

Builds a fresh database (PostgreSQL when BENCH_POSTGRES_URL points at a server: a
database forum_bench_notify_<pid> is created there and dropped at the end; SQLite under
var/bench/notify otherwise, or both with BOTH=1), with WATCHERS members (default 5,000)
watching one thread. Then, as production runs it (FORUM_NOTIFICATIONS__WORKER=external,
FORUM_SEARCH__WORKER=external: a `forum worker` beside the app):

- request: POST /api/v1/threads/{id}/posts through the whole application in-process
  (session cookie, CSRF, screening, search outbox, notifications outbox, commit), POSTS
  times (default 30), interleaved with the same post in a thread only its author watches
  (the baseline); prints wall-clock p50/p95/max, and the app's CPU time and the time spent
  waiting for the database (wall-clock time on a shared machine mostly measures its load);
- fan-out: what `forum worker` then does for each of those posts (one INSERT ... SELECT
  writing a notification per watcher); prints p50/p95/max and the rows written;
- inline, for comparison: the same post with the fan-out inside the request
  (inline_fanout_max above the watcher count), which the outbox avoids;
- bell: the header's unread count for a member with UNREAD notifications, and its plan.

Env: WATCHERS, POSTS, UNREAD (default 200), BENCH_POSTGRES_URL, BOTH.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from app import wiring  # noqa: E402
from app.accounts import names, passwords  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.cli import migrate_database  # noqa: E402
from app.db import Database, utcnow  # noqa: E402
from app.forum import service as forum  # noqa: E402
from app.forum.models import Post, Thread  # noqa: E402
from app.forum.seed import seed_categories  # noqa: E402
from app.main import create_app  # noqa: E402
from app.notifications import fanout, queries  # noqa: E402
from app.notifications.models import Notification, ThreadWatch  # noqa: E402
from app.settings import Argon2Settings, NotificationSettings, SearchSettings, Settings, TrustSettings  # noqa: E402
from bench.scratch import scratch_postgres  # noqa: E402

WATCHERS = int(os.environ.get("WATCHERS", "5000"))
POSTS = int(os.environ.get("POSTS", "30"))
UNREAD = int(os.environ.get("UNREAD", "200"))
PASSWORD = "a bench passphrase 42"
FAST = Argon2Settings(time_cost=1, memory_kib=1024, parallelism=1)  # log-in is not what is measured


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    p50, top = statistics.median(ordered), ordered[-1]
    return f"p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {top * 1000:7.1f} ms"


def build(settings: Settings) -> tuple[int, int, str]:
    """Members, a thread WATCHERS watch and one only its author does, a member with UNREAD notifications.

    Returns the two threads' ids and the pseudonym of the member whose bell is read.
    """
    migrate_database(settings.database_url)
    db = Database(settings)
    now = utcnow()
    with db.session() as session:
        category = seed_categories(session)[0]
        hashed = passwords.hash_password(FAST, PASSWORD)
        session.execute(insert(User), [
            {"pseudonym": f"veilleur{i}", "pseudonym_folded": f"veilleur{i}", "pseudonym_skeleton": f"veilleur{i}",
             "password_hash": hashed, "published_posts": 1, "approved_posts": 3, "created_at": now}
            for i in range(WATCHERS + 1)])
        author = session.scalar(select(User).where(User.pseudonym == "veilleur0"))
        assert author is not None
        posted = forum.create_thread(session, category=category, author=author, title="Un fil très suivi",
                                     body="Bonjour à toutes et à tous.", lang="fr")
        ids = list(session.scalars(select(User.id).where(User.id != author.id)))
        session.execute(insert(ThreadWatch), [
            {"user_id": user_id, "thread_id": posted.thread.id, "level": "watching", "reason": "chosen",
             "created_at": now} for user_id in ids])
        quiet = forum.create_thread(session, category=category, author=author, title="Un fil calme",
                                    body="Seule son autrice suit ce fil.", lang="fr")
        reader = ids[-1]
        session.execute(insert(Notification), [
            {"user_id": reader, "kind": "reply", "thread_id": posted.thread.id, "post_id": posted.post.id,
             "actor_id": author.id, "detail": "", "count": 1, "group_key": f"bench:{i}", "created_at": now}
            for i in range(UNREAD)])
        session.commit()
        thread_id, quiet_id = posted.thread.id, quiet.thread.id
    if db.engine.dialect.name == "postgresql":  # a live server has statistics; a fresh database needs them now
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    db.dispose()
    return thread_id, quiet_id, f"veilleur{WATCHERS}"


def _client(settings: Settings) -> tuple[TestClient, str, Database]:
    app = create_app(settings)
    client = TestClient(app, base_url="http://testserver")
    response = client.post("/api/v1/session", json={"pseudonym": "veilleur1", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"], app.state.db


class _Statements:
    """Counts the SQL statements a request sends and the time spent waiting for their answers."""

    def __init__(self, db: Database) -> None:
        self.count, self.seconds = 0, 0.0
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        self.seconds += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0


@dataclass
class _Request:
    wall: list[float] = field(default_factory=list)  # what the member waits (on this machine, under its load)
    cpu: list[float] = field(default_factory=list)  # the app process's CPU time for the request
    sql: list[float] = field(default_factory=list)  # time waiting for the database's answers
    statements: list[int] = field(default_factory=list)

    def add(self, wall: float, cpu: float, statements: _Statements) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.sql.append(statements.seconds)
        self.statements.append(statements.count)

    def report(self, label: str, note: str = "") -> None:
        print(f"{label:<18} {_ms(self.wall)}{note}")
        print(f"{'':<18} app CPU p50 {statistics.median(self.cpu) * 1000:.1f} ms, SQL p50 "
              f"{statistics.median(self.sql) * 1000:.1f} ms in {statistics.median(self.statements):.0f} statements")


def _post(client: TestClient, token: str, statements: _Statements, thread_id: int, body: str) -> tuple[float, float]:
    statements.reset()
    begun, cpu = time.perf_counter(), time.process_time()
    response = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body}, headers={"X-CSRF-Token": token})
    elapsed, used = time.perf_counter() - begun, time.process_time() - cpu
    assert response.status_code == 201, response.text
    return elapsed, used


def run(settings: Settings, label: str) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"-- {label}: {WATCHERS} watchers, {POSTS} posts; load average {load:.1f} on {os.cpu_count()} CPUs")
    started = time.perf_counter()
    thread_id, quiet_id, reader = build(settings)
    print(f"built in {time.perf_counter() - started:.1f} s")
    client, token, db = _client(settings)
    statements = _Statements(db)
    with client:
        watched, quiet = _Request(), _Request()
        fanouts, written = [], []
        # Interleaved, so that both threads' posts meet the same machine load and the same
        # database state (each after the previous fan-out was written).
        for index in range(POSTS + 3):
            wall, cpu = _post(client, token, statements, thread_id, f"Réponse numéro {index}.")
            if index >= 3:  # the first requests warm caches and pools
                watched.add(wall, cpu, statements)
            wall, cpu = _post(client, token, statements, quiet_id, f"Calme {index}.")
            if index >= 3:
                quiet.add(wall, cpu, statements)
            before = _count(db)
            begun = time.perf_counter()
            fanout.drain(db)
            fanned = time.perf_counter() - begun
            if index >= 3:
                fanouts.append(fanned)
                written.append(_count(db) - before)
        watched.report("request (outbox)", f"   (a post in the thread {WATCHERS} members watch)")
        quiet.report("request, baseline", "   (the same post in a thread only its author watches)")
        print(f"fan-out (worker)   {_ms(fanouts)}   {statistics.median(written):.0f} notifications per post")
        settings.notifications.inline_fanout_max = WATCHERS * 2
        fanout.install(settings, db)
        inline = _Request()
        for index in range(5):
            wall, cpu = _post(client, token, statements, thread_id, f"En ligne {index}.")
            inline.add(wall, cpu, statements)
        inline.report("request (inline)", "   (the fan-out inside the request, for comparison)")
        _bell(db, reader)
    db.dispose()


def _count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count(Notification.id))) or 0)


def _bell(db: Database, pseudonym: str) -> None:
    if db.engine.dialect.name == "postgresql":  # what autovacuum does on a live server after the fan-outs
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE notifications_notifications"))
    with db.session(write=False) as session:
        user = session.scalar(select(User).where(User.pseudonym_folded == names.folded(pseudonym)))
        assert user is not None
        unread = queries.unread_count(session, user)
        times = []
        for _ in range(200):
            begun = time.perf_counter()
            queries.unread_count(session, user)
            times.append(time.perf_counter() - begun)
        print(f"bell count         {_ms(times)}   ({unread} unread)")
        if db.engine.dialect.name == "postgresql":
            statement = (select(func.count(Notification.id)).select_from(Notification)
                         .outerjoin(Post, Post.id == Notification.post_id)
                         .outerjoin(Thread, Thread.id == Notification.thread_id)
                         .where(Notification.user_id == user.id, Notification.read_at.is_(None),
                                queries.shown_filter(user)))
            compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
            index_lines = [line.strip() for line in plan if "Index" in line]
            print("bell plan          " + ("; ".join(index_lines) or "no index used"))


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(environment="development", database_url=url, data_dir=data_dir, secret_key="bench-" + "x" * 40,
                    argon2=FAST, notifications=NotificationSettings(worker="external"),
                    search=SearchSettings(worker="external"),
                    # Members past the welcome (approved_posts above), and no hourly limit on the bench's posts.
                    trust=TrustSettings(posts_per_hour=100_000))


def main() -> int:
    wiring.connect()
    pg = os.environ.get("BENCH_POSTGRES_URL", "")
    data_dir = ROOT / "var" / "bench" / "notify"
    if pg:
        with scratch_postgres(pg, f"forum_bench_notify_{os.getpid()}_{uuid.uuid4().hex[:6]}") as url:
            run(_settings(url, data_dir), "PostgreSQL")
    if not pg or os.environ.get("BOTH"):
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        run(_settings(f"sqlite:///{data_dir / 'forum.sqlite3'}", data_dir), "SQLite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
