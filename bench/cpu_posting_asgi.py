"""CPU per post, in-process, through the ASGI app as uvicorn calls it: no TestClient, no server, no wrk.

`bench/cpu_posting.py` drives the app with Starlette's TestClient, whose own thread hops
and portal cost ~10 ms of CPU a request on this machine (its `GET /api/v1/categories`
floor): more than the app's own work a post. This script builds the same forum
(64 established members, 50 threads) and calls the app as an ASGI server does: one
event loop (uvloop, as `forum serve` runs), a `http` scope with the cookie, the
CSRF header and a JSON body, the body received in one message. Replies are sent one after
the other (each as a random member to a random thread) and the in-process search
indexer's drain is waited for after each. Printed: CPU per post (`time.process_time`, every
thread of the process), least and median over batches of 20, the same for N trivial
`GET /api/v1/categories` as a member (the request stack's floor), SQL statements per post
(`before_cursor_execute`, BEGIN/COMMIT/SAVEPOINT included: what the driver is sent) and the CPU per post of
each thread name (the event loop, the worker threads, the indexer, background threads).

Env: N (300), ONLY=sqlite|postgresql, BENCH_POSTGRES_URL (or FORUM_TEST_POSTGRES_URL: as cpu_posting.py, the
database it names is created afresh and dropped), PROFILE=1 (cProfile of the measured posts, every thread:
the top entries by own and total time; PROFILE=spy: py-spy --gil as cpu_posting.py), TOP (30), SQL=1 (prints
each statement of one post), COMPILES=1 (prints what SQLAlchemy compiles anew during two steady-state posts:
a statement without a cache key is compiled at every execution).
"""

from __future__ import annotations

import asyncio
import collections
import cProfile
import json
import os
import pstats
import random
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_posting, cpu_posting  # noqa: E402

BATCH = 20


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each of this process's threads, by Python thread name (pool threads merged)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = collections.defaultdict(float)
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        name = names.get(int(task.name), "?")
        name = "AnyIO worker threads" if name.startswith("AnyIO worker") else name
        out[name] += (int(fields[11]) + int(fields[12])) / tick
    return out


class Caller:
    """Calls the ASGI app as a server would, one request at a time."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw += [(b"host", b"127.0.0.1:8319"), (b"content-length", str(len(body)).encode())]
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8319),
                 "state": {}}
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def run(name: str, url: str, n: int) -> None:
    from sqlalchemy import event

    from app.main import create_app
    from app.settings import Settings, TrustSettings

    tokens = bench_posting.prepare(url, 64)
    settings = Settings(database_url=url, data_dir=bench_posting.DATA, secret_key=bench_posting.SECRET,
                        environment="development", trust=TrustSettings(posts_per_hour=1_000_000))
    app = create_app(settings)
    caller = Caller(app)
    rng = random.Random(7)
    statements: list[str] = []
    engine = app.state.db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    if engine.dialect.name == "sqlite":  # BEGIN/COMMIT go to the DB-API, not through cursors: count them too
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            statements.append("BEGIN")

        @event.listens_for(engine, "commit")
        def _commit(conn: Any) -> None:
            statements.append("COMMIT")

    async with app.router.lifespan_context(app):
        indexer = app.state.db.on_outbox

        async def post(i: int) -> None:
            token, csrf = tokens[rng.randrange(len(tokens))]
            body = json.dumps({"body": f"{cpu_posting.BODIES[i % 3]} ({i})"}).encode()
            status, answer = await caller.request(
                "POST", f"/api/v1/threads/{rng.randrange(50) + 1}/posts",
                {"cookie": f"tk_session={token}", "x-csrf-token": csrf, "content-type": "application/json"}, body)
            assert status == 201, answer
            if indexer is not None:
                indexer.wait_idle()  # on the loop's thread: the drain runs in the indexer's own thread

        from app.forum.screening import check_text

        for lang in ("fr", "nl", "en"):
            check_text("bonjour", lang)
        time.sleep(1.0)  # the start-up warm-up thread's engine builds end
        for i in range(30):
            await post(i)
        statements.clear()
        compiled: list[str] = []
        if os.environ.get("COMPILES"):  # statements SQLAlchemy compiles anew at a steady-state post (no cache hit)
            from sqlalchemy.sql import compiler

            original = compiler.Compiled.__init__

            def counting(self: Any, dialect: Any, statement: Any, *args: Any, **kwargs: Any) -> None:
                compiled.append(" ".join(str(statement).split())[:120] if statement is not None else "?")
                original(self, dialect, statement, *args, **kwargs)

            compiler.Compiled.__init__ = counting  # type: ignore[method-assign]
        await post(98)
        await post(99)
        if os.environ.get("COMPILES"):
            compiler.Compiled.__init__ = original  # type: ignore[method-assign]
            print(f"compiled anew in two posts: {len(compiled)}")
            for text in compiled:
                print("   ", text)
        statements.clear()
        await post(97)
        per_post = list(statements)
        if os.environ.get("SQL"):
            for statement in per_post:
                print("   ", " ".join(statement.split())[:160])
        profile = cProfile.Profile() if os.environ.get("PROFILE") == "1" else None
        spy = cpu_posting.start_profile() if os.environ.get("PROFILE") == "spy" else None
        threads_before = thread_cpu()
        if profile is not None:
            profile.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        batches: list[float] = []
        for start in range(0, n, BATCH):
            batch_cpu = time.process_time()
            for i in range(start, min(n, start + BATCH)):
                await post(100 + i)
            batches.append((time.process_time() - batch_cpu) / (min(n, start + BATCH) - start))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profile is not None:
            profile.disable()
        threads_after = thread_cpu()
        if spy is not None:
            cpu_posting.stop_profile(*spy, name)
        token, csrf = tokens[0]
        floor: list[float] = []
        for _batch in range(0, n, BATCH):
            batch_cpu = time.process_time()
            for _ in range(BATCH):
                status, _answer = await caller.request("GET", "/api/v1/categories", {"cookie": f"tk_session={token}"})
                assert status == 200
            floor.append((time.process_time() - batch_cpu) / BATCH)
    batches.sort()
    floor.sort()
    print(f"{name:11} {cpu / n * 1000:6.2f} ms CPU/post (batches of {BATCH}: least {batches[0] * 1000:.2f}, median "
          f"{batches[len(batches) // 2] * 1000:.2f})  {wall / n * 1000:6.2f} ms wall/post  {len(per_post)} statements"
          f" a post   GET /api/v1/categories least {floor[0] * 1000:.2f} / median {floor[len(floor) // 2] * 1000:.2f}"
          f" ms CPU   (N={n}, load {os.getloadavg()[0]:.1f})", flush=True)
    shares = {k: (threads_after.get(k, 0) - threads_before.get(k, 0)) / n * 1000 for k in threads_after}
    print("   by thread, ms CPU/post: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                   sorted(shares.items(), key=lambda kv: -kv[1]) if v >= 0.005))
    if profile is not None:
        stats = pstats.Stats(profile)
        top = int(os.environ.get("TOP", "30"))
        print("cProfile (the event loop's thread only; worker threads are not traced by cProfile):")
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


def main() -> int:
    n = int(os.environ.get("N", "300"))
    only = os.environ.get("ONLY")
    bench_posting.DATA = ROOT / "var" / "bench" / "cpu-posting-asgi"
    try:
        import uvloop
        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = asyncio.new_event_loop
    if only != "postgresql":
        shutil.rmtree(bench_posting.DATA, ignore_errors=True)
        bench_posting.DATA.mkdir(parents=True)
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(run("SQLite", f"sqlite:///{bench_posting.DATA / 'forum.sqlite3'}", n))
    pg = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("FORUM_TEST_POSTGRES_URL")
    if only == "sqlite" or not pg:
        return 0
    from bench.scratch import scratch_postgres

    bench_posting.DATA.mkdir(parents=True, exist_ok=True)
    name = pg.rsplit("/", 1)[1].split("?")[0]
    with (scratch_postgres(pg, name if name not in ("", "postgres") else "forum_bench_cpu_posting") as url,
          asyncio.Runner(loop_factory=loop_factory) as runner):
        runner.run(run("PostgreSQL", url, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
