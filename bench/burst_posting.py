"""A burst of BURST replies sent at the same moment to one SQLite worker: how long each waits, and how many fail.

The outsider test saw bursts of more than 40 writes on one SQLite worker wait up to
10 s for the write lock (WRITE_QUEUE_SECONDS) and end in 503s. This sends ROUNDS
bursts of BURST replies at once (each from its own member, to a random thread, through
`POST /api/v1/threads/{id}/posts`) to `forum serve --workers 1`, and prints each
burst's status counts, its latencies (p50, p95, max) and the time from the first
request to the last answer; then checks the database holds one row per 201.
With VISITORS=n, n visitors' API reads (rate-limited, so counted in the database) go out during each burst,
one every 20 ms.
Env: BURST (50), ROUNDS (3), VISITORS (0).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_posting  # noqa: E402
from bench.bench_pages import serve  # noqa: E402

PORT = 8327
DATA = ROOT / "var" / "bench" / "burst"


async def burst(tokens: list[tuple[str, str]], round_no: int,
                visitors: int = 0) -> tuple[Counter[int], list[float], float]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", timeout=60,
                                 limits=httpx.Limits(max_connections=len(tokens) + visitors)) as client:
        async def one(i: int, token: str, csrf: str) -> tuple[int, float]:
            started = time.perf_counter()
            response = await client.post(
                f"/api/v1/threads/{random.randint(1, 50)}/posts",  # noqa: S311 - load, not a secret
                json={"body": f"Courage à toi, on avance petit à petit ensemble (salve {round_no}, {i})."},
                headers={"X-CSRF-Token": csrf}, cookies={"tk_session": token})
            return response.status_code, time.perf_counter() - started

        async def visit(i: int) -> tuple[int, float]:
            await asyncio.sleep(i * 0.02)  # spread over the burst, not all before its first write
            started = time.perf_counter()
            response = await client.get(f"/api/v1/threads/{1 + i % 50}/posts")
            return 1000 + response.status_code, time.perf_counter() - started  # 1200: a visitor's 200

        started = time.perf_counter()
        results = await asyncio.gather(*(one(i, t, c) for i, (t, c) in enumerate(tokens)),
                                       *(visit(i) for i in range(visitors)))
        return Counter(s for s, _ in results), sorted(d for _, d in results), time.perf_counter() - started


def main() -> int:
    size, rounds = int(os.environ.get("BURST", "50")), int(os.environ.get("ROUNDS", "3"))
    visitors = int(os.environ.get("VISITORS", "0"))
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    bench_posting.DATA = DATA
    url = f"sqlite:///{DATA / 'forum.sqlite3'}"
    tokens = bench_posting.prepare(url, size)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA),
           "FORUM_SECRET_KEY": bench_posting.SECRET, "FORUM_ENVIRONMENT": "development",
           "FORUM_TRUST__POSTS_PER_HOUR": "1000000", "FORUM_RATE_LIMITS__API_READS": "1000000"}
    server = serve([sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", "1"], env, PORT)
    try:
        bench_posting.wait_idle(server.pid)
        asyncio.run(burst(tokens[:4], 0))  # warm-up: the moderation engine and the pool, not counted
        before = bench_posting.count_posts(url)
        created = 0
        for round_no in range(1, rounds + 1):
            load = os.getloadavg()[0]
            statuses, latencies, wall = asyncio.run(burst(tokens, round_no, visitors))
            created += statuses.get(201, 0)
            p95 = latencies[int(len(latencies) * 0.95) - 1]
            print(f"burst {round_no}: {dict(sorted(statuses.items()))}   p50 {statistics.median(latencies):.2f} s"
                  f"   p95 {p95:.2f} s   max {latencies[-1]:.2f} s   all answered in {wall:.2f} s"
                  f"   ({size} at once, 1 worker, load {load:.1f})", flush=True)
        written = bench_posting.count_posts(url) - before
        print(f"{created} answered 201, {written} new rows" + ("" if created == written else "   MISMATCH"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
