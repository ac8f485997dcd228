"""Search latency on a large corpus: p50/p95 for two-word queries, SQLite FTS5 and PostgreSQL.

Builds (once, then reuses) a corpus with `forum seed --scale N` — N from SCALE, default
1,000,000 posts — under var/bench/, and on PostgreSQL when BENCH_POSTGRES_URL points
at a server (a database BENCH_DB, default forum_bench_search_N, is created there and
kept: later runs only migrate it; ONLY=postgresql skips SQLite). Then runs QUERIES
two-word FR/NL/EN queries (default 300) through the backend's search(), as a
visitor, first page, and prints p50/p95/max. On PostgreSQL it also prints which
plans the planner chose, and with VERIFY=1 checks that each query's newest matches
and ranks are those of the plain query the planner replaced.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import Database  # noqa: E402
from app.search.backend import SearchQuery  # noqa: E402
from app.search.service import database_backend  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.corpus import LANGS  # noqa: E402

SCALE = int(os.environ.get("SCALE", "1000000"))
QUERIES = int(os.environ.get("QUERIES", "300"))


def _forum(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)


def build(url: str, data_dir: Path) -> None:
    env = {"FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(data_dir)}
    _forum(env, "migrate")
    started = time.perf_counter()
    _forum(env, "seed", "--scale", str(SCALE))
    print(f"  corpus of {SCALE:,} posts built in {time.perf_counter() - started:.0f} s", flush=True)


def two_word_queries(count: int) -> list[str]:
    rng = random.Random(7)
    queries = []
    for _ in range(count):
        lang = rng.choices(["fr", "nl", "en"], weights=[55, 40, 5])[0]
        data = LANGS[lang]
        pool = [*data["symptoms"], *data["meds"], *[w for w in data["filler"] if len(w) > 4]]
        first, second = rng.sample(pool, 2)
        queries.append(f"{first.split()[0]} {second.split()[0]}")
    return queries


def reference(session, query: str, cap: int) -> list[tuple[int, float]]:  # type: ignore[no-untyped-def]
    """The PostgreSQL query before the planner: each term as stems or a prefix, the newest `cap` matches, ranked."""
    from sqlalchemy import text

    from app.search import text as search_text

    params, parts = {}, []
    for index, term in enumerate(search_text.terms(query)):
        params[f"t{index}"] = term
        stems = " || ".join(f"plainto_tsquery('{cfg}', :t{index})" for cfg in ("french", "dutch", "english"))
        parts.append(f"({stems} || to_tsquery('simple', quote_literal(:t{index}) || ':*'))")
    rows = session.execute(text(
        "SELECT d.post_id, ts_rank_cd(d.tsv, q.query) FROM search_documents AS d, "
        f"(SELECT {' && '.join(parts)} AS query) AS q WHERE d.tsv @@ q.query ORDER BY d.post_id + 0 DESC LIMIT :cap"
    ), {**params, "cap": cap})
    return [(row[0], row[1]) for row in rows]


def plans(db: Database, backend, verify: bool) -> None:  # type: ignore[no-untyped-def]
    """Which plans the PostgreSQL planner chose for the queries (and, with VERIFY, that they found the same).

    For "recent" plans: how many of the ranges held the newest matches (the older ones never ran).
    """
    import collections

    from app.search import text as search_text
    from app.search.backend import MAX_RESULTS

    chosen: collections.Counter[str] = collections.Counter()
    differing = 0
    with db.session(write=False) as session:
        for query in two_word_queries(QUERIES):
            found = backend.groups(session, search_text.terms(query))
            if found is None:
                chosen["nothing"] += 1
                continue
            groups, corpus = found
            plan = backend.plan(session, groups, corpus, MAX_RESULTS)
            window = backend.newest_matches(session, groups, plan, MAX_RESULTS)
            if plan.kind == "recent":
                oldest = min(post_id for post_id, _rank in window) if len(window) == MAX_RESULTS else -1
                searched = next((i + 1 for i, (since, _until) in enumerate(plan.ranges) if oldest >= since),
                                len(plan.ranges))
                chosen[f"recent, {searched} range{'s' if searched > 1 else ''} searched"] += 1
            else:
                chosen[plan.kind] += 1
            if verify and window != reference(session, query, MAX_RESULTS):
                differing += 1
                print(f"  differs from the plain query: {query!r}")
    print("  plans: " + ", ".join(f"{kind} {count}" for kind, count in sorted(chosen.items()))
          + (f"; verified against the plain query: {differing} differ" if verify else ""), flush=True)


def _schedstat(path: str) -> tuple[int, int]:
    """(ns on a CPU, ns waiting for one) of a thread or process, from Linux's schedstat."""
    try:
        running, waiting, _slices = Path(path).read_text().split()
    except (OSError, ValueError):
        return 0, 0
    return int(running), int(waiting)


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    return statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)], values[-1]


def measure(name: str, url: str) -> None:
    """p50/p95/max of the wall time; on a loaded machine also without the time spent waiting for a CPU.

    The machine is shared: with a load average of 8 on 2 cores a query spends most of its
    wall time runnable but not running. Linux counts that time per thread (schedstat), for
    this process and for the PostgreSQL backend serving it (when the server is local), so
    "unqueued" = wall time minus both waits: what the query takes on an idle machine, roughly.
    """
    from sqlalchemy import text

    db = Database(Settings(database_url=url, data_dir=ROOT / "var" / "bench"))
    backend = database_backend(db)
    walls, unqueued, hits = [], [], 0
    me = f"/proc/self/task/{threading.get_native_id()}/schedstat"
    with db.session(write=False) as session:
        server = "" if db.is_sqlite else f"/proc/{session.scalar(text('SELECT pg_backend_pid()'))}/schedstat"
        for query in two_word_queries(QUERIES):
            waits = _schedstat(me)[1] + (_schedstat(server)[1] if server else 0)
            started = time.perf_counter_ns()
            page = backend.search(session, SearchQuery(text=query))
            wall = time.perf_counter_ns() - started
            waited = _schedstat(me)[1] + (_schedstat(server)[1] if server else 0) - waits
            walls.append(wall / 1e6)
            unqueued.append((wall - waited) / 1e6)
            hits += bool(page.items)
    p50, p95, top = _percentiles(walls)
    print(f"{name:12} {len(walls)} two-word queries on {SCALE:,} posts: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
          f"   max {top:6.1f} ms   ({hits} with results)", flush=True)
    p50, p95, top = _percentiles(unqueued)
    print(f"{'':12} without the time spent waiting for a CPU: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
          f"   max {top:6.1f} ms", flush=True)
    if not db.is_sqlite:
        plans(db, backend, verify=bool(os.environ.get("VERIFY")))
    db.dispose()


def main() -> int:
    print(f"load average {os.getloadavg()}", flush=True)
    sqlite_dir = ROOT / "var" / "bench" / f"search-sqlite-{SCALE}"
    sqlite_url = f"sqlite:///{sqlite_dir / 'forum.sqlite3'}"
    if os.environ.get("ONLY") != "postgresql":
        if not (sqlite_dir / "forum.sqlite3").exists():
            sqlite_dir.mkdir(parents=True, exist_ok=True)
            build(sqlite_url, sqlite_dir)
        measure("SQLite FTS5", sqlite_url)
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if not pg:
        print("PostgreSQL skipped: set BENCH_POSTGRES_URL=postgresql://user@host:port/postgres to measure it")
        return 0
    from sqlalchemy import create_engine, text

    name = os.environ.get("BENCH_DB", f"forum_bench_search_{SCALE}")
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    pg_url = pg.rsplit("/", 1)[0] + "/" + name
    if not exists:
        build(pg_url, ROOT / "var" / "bench")
    else:  # a corpus built by an earlier revision gets the later migrations (the index, the counts)
        _forum({"FORUM_DATABASE_URL": pg_url, "FORUM_DATA_DIR": str(ROOT / "var" / "bench")}, "migrate")
    measure("PostgreSQL", pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
