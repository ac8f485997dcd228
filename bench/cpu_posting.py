"""CPU per post, in-process: `POST /api/v1/threads/{id}/posts` through the whole app, no server, no wrk.

Builds the same forum as bench/bench_posting.py (64 established members, 50 threads),
then posts N replies (default 300) through the app with Starlette's TestClient, one
after the other, each as a random member to a random thread, and prints the process's
CPU time per post (`time.process_time`, every thread: the request, its commit and the
in-process search indexer's drain, waited for after each post) and the wall time, with the
least and the median CPU per post over batches of 20 posts (on a shared machine, the least
batch is the least disturbed by other processes: compare those first).
TestClient's own cost is measured too (N trivial `GET /api/v1/categories`, as a member), and so
is the service alone ("service": N more posts without HTTP: the session lookup, the thread,
`forum.service.reply`, the commit and the search drain, as the route runs them).

What this isolates: the Python cost of one post, which bounds posts/s on a machine
whose cores are shared (2 workers x 1 / (CPU per post)). Unlike wrk, it is quiet enough
to compare two commits on a loaded machine (run each twice, alternating).

Env: N (300), ONLY=sqlite|postgresql, BENCH_POSTGRES_URL (or FORUM_TEST_POSTGRES_URL; the database it names,
or forum_bench_cpu_posting if it names postgres, is created afresh and dropped),
PROFILE=1 (py-spy --gil records this process during the measured posts, every thread,
and prints the top entries as bench/profile_pages.py does), TOP (30), PROFILE_RAW=path
(keeps py-spy's raw stacks there).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_posting  # noqa: E402

BATCH = 20
BODIES = ("Courage, on est avec toi. Ca ira mieux petit a petit.",
          "Merci pour ton message, je me reconnais dans ce que tu ecris.",
          "Bij mij ging het ook zo, houd moed en praat met je huisarts.")


def start_profile() -> tuple[subprocess.Popen[bytes], Path]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out = Path(tempfile.mkdtemp(prefix="profile-cpu-posting-")) / "raw.txt"
    process = subprocess.Popen([spy, "record", "--pid", str(os.getpid()), "--rate", "250", "--gil",
                                "--format", "raw", "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # py-spy attached
    return process, out


def stop_profile(process: subprocess.Popen[bytes], out: Path, name: str) -> None:
    from bench.profile_pages import aggregate

    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    print(f"py-spy --gil, this process during the {name} posts:")
    aggregate([out], int(os.environ.get("TOP", "30")))
    if os.environ.get("PROFILE_RAW"):  # keep py-spy's raw stacks (name suffixed with the database)
        shutil.copy(out, f"{os.environ['PROFILE_RAW']}.{name.lower()}")
    shutil.rmtree(out.parent, ignore_errors=True)


def measure(name: str, url: str, n: int) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings, TrustSettings

    tokens = bench_posting.prepare(url, 64)
    settings = Settings(database_url=url, data_dir=bench_posting.DATA, secret_key=bench_posting.SECRET,
                        environment="development", trust=TrustSettings(posts_per_hour=1_000_000))
    app = create_app(settings)
    rng = random.Random(7)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        indexer = app.state.db.on_outbox

        def post(i: int) -> None:
            token, csrf = tokens[rng.randrange(len(tokens))]
            client.cookies.set("tk_session", token)
            response = client.post(f"/api/v1/threads/{rng.randrange(50) + 1}/posts",
                                   json={"body": f"{BODIES[i % 3]} ({i})"}, headers={"X-CSRF-Token": csrf})
            assert response.status_code == 201, response.text
            if indexer is not None:
                indexer.wait_idle()

        from app.forum.screening import check_text

        for lang in ("fr", "nl", "en"):
            check_text("bonjour", lang)  # the engine built before the clock starts
        for i in range(30):  # warm-up: caches, pools, statement caches
            post(i)
        spy = start_profile() if os.environ.get("PROFILE") else None
        cpu, wall = time.process_time(), time.perf_counter()
        batches: list[float] = []  # CPU per post in batches of BATCH posts: the least is the least disturbed
        for start in range(0, n, BATCH):
            batch_cpu = time.process_time()
            for i in range(start, min(n, start + BATCH)):
                post(100 + i)
            batches.append((time.process_time() - batch_cpu) / (min(n, start + BATCH) - start))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if spy is not None:
            stop_profile(*spy, name)
        base_cpu = time.process_time()
        for _ in range(n):
            assert client.get("/api/v1/categories").status_code == 200
        base_cpu = time.process_time() - base_cpu
        service_cpu = time.process_time()
        for i in range(n):
            service_post(app, tokens, rng, 1000 + i)
        service_cpu = time.process_time() - service_cpu
    batches.sort()
    print(f"{name:11} {cpu / n * 1000:6.2f} ms CPU/post (batches of {BATCH}: least {batches[0] * 1000:.2f},"
          f" median {batches[len(batches) // 2] * 1000:.2f})   {wall / n * 1000:6.2f} ms wall/post"
          f"   service {service_cpu / n * 1000:5.2f} ms CPU/post   (GET /api/v1/categories {base_cpu / n * 1000:.2f}"
          f" ms CPU; N={n}, load {os.getloadavg()[0]:.1f})", flush=True)


def service_post(app: Any, tokens: list[tuple[str, str]], rng: random.Random, i: int) -> None:
    """What the route does, without HTTP: the session lookup, the thread, `reply`, the commit, the drain."""
    from app.accounts.service import get_session_by_token
    from app.forum import service
    from app.forum.permissions import access_thread

    db, settings = app.state.db, app.state.settings
    with db.request_session(write=True) as session:
        auth = get_session_by_token(session, tokens[rng.randrange(len(tokens))][0])
        assert auth is not None
        thread = access_thread(session, auth.user, rng.randrange(50) + 1, for_write=True)
        service.reply(session, thread=thread, author=auth.user, body=f"{BODIES[i % 3]} ({i})",
                      max_chars=settings.max_post_chars, limits=settings.trust)
        session.commit()
    if db.on_outbox is not None:
        db.on_outbox.wait_idle()


def main() -> int:
    n = int(os.environ.get("N", "300"))
    only = os.environ.get("ONLY")
    bench_posting.DATA = ROOT / "var" / "bench" / "cpu-posting"
    if only != "postgresql":
        shutil.rmtree(bench_posting.DATA, ignore_errors=True)
        bench_posting.DATA.mkdir(parents=True)
        measure("SQLite", f"sqlite:///{bench_posting.DATA / 'forum.sqlite3'}", n)
    pg = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("FORUM_TEST_POSTGRES_URL")
    if only == "sqlite" or not pg:
        return 0
    from bench.scratch import scratch_postgres

    bench_posting.DATA.mkdir(parents=True, exist_ok=True)
    name = pg.rsplit("/", 1)[1].split("?")[0]  # a database of its own when several checkouts bench at once
    with scratch_postgres(pg, name if name not in ("", "postgres") else "forum_bench_cpu_posting") as url:
        measure("PostgreSQL", url, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
