"""Search latency on a large corpus: p50/p95 for two-word queries, SQLite FTS5 and PostgreSQL.

Builds (once, then reuses) a corpus with `forum seed --scale N` — N from SCALE, default
1,000,000 posts — under var/bench/, and on PostgreSQL when BENCH_POSTGRES_URL points
at a server (a database forum_bench_search_N is created there; ONLY=postgresql skips SQLite). Then runs QUERIES
two-word FR/NL/EN queries (default 300) through the backend's search(), as a
visitor, first page, and prints p50/p95/max.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
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


def measure(name: str, url: str) -> None:
    db = Database(Settings(database_url=url, data_dir=ROOT / "var" / "bench"))
    backend = database_backend(db)
    timings, hits = [], 0
    with db.session(write=False) as session:
        for query in two_word_queries(QUERIES):
            started = time.perf_counter()
            page = backend.search(session, SearchQuery(text=query))
            timings.append((time.perf_counter() - started) * 1000)
            hits += bool(page.items)
    db.dispose()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{name:12} {len(timings)} two-word queries on {SCALE:,} posts: p50 {statistics.median(timings):6.1f} ms"
          f"   p95 {p95:6.1f} ms   max {timings[-1]:6.1f} ms   ({hits} with results)", flush=True)


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

    name = f"forum_bench_search_{SCALE}"
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    pg_url = pg.rsplit("/", 1)[0] + "/" + name
    if not exists:
        build(pg_url, ROOT / "var" / "bench")
    measure("PostgreSQL", pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
