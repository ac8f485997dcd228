"""HTTP throughput of the forum's pages against the framework's ceiling, measured with wrk in one run.

Builds a SQLite forum under var/bench/pages (1,000 members, 2,000 threads, 50,000 posts,
one thread with exactly 50 posts — the same shape as shared/bench/peer.sh's Spirit site).
First serves the ceiling (bench/ceiling: bare FastAPI + Jinja2 rendering a 25-post page
from memory) with 2 uvicorn workers, then the forum with `forum serve --workers 2` and
25 posts a page, and prints each page's requests/s, p50/p99 and its ratio to the ceiling:
the thread, category and home pages for a visitor, and the thread page for a member.
The load average is printed at the start and end (the machine is shared).
Needs wrk (Debian package `wrk`). Env: DUR (default 10s), CONN (32), REBUILD=1 to
regenerate the data, PEER_BASE (peer.sh's BASE, default /tmp/peerbench) to print its
latest table after ours.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "bench" / "pages"
PORT = 8317
CEILING_PORT = 8318
sys.path.insert(0, str(ROOT))

WORDS = (
    "je tu il nous vous on le la les un une des et mais donc car avec sans pour dans sur sommeil nuit "
    "jour semaine sevrage diminution dose comprimé médecin pharmacien anxiété angoisse courage merci "
    "ik jij we het de een en maar want met zonder voor in op slaap nacht dag week afbouw dosis tablet "
    "huisarts apotheker angst moed bedankt lormetazepam alprazolam zolpidem diazepam symptomen beter"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + rng.choice([".", ".", "?", "!"])


def build(url: str) -> int:
    from sqlalchemy import insert, select

    from app.accounts.models import User
    from app.cli import migrate_database
    from app.db import Database
    from app.forum.models import Category, Post, Thread
    from app.forum.seed import seed_categories
    from app.markdown import render
    from app.settings import Settings

    migrate_database(url)
    settings = Settings(database_url=url, data_dir=DATA)
    db = Database(settings)
    rng = random.Random(42)
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        seed_categories(session)
        session.execute(insert(User), [
            {"pseudonym": f"membre{i}", "pseudonym_folded": f"membre{i}", "pseudonym_skeleton": f"membre{i}",
             "password_hash": "!", "created_at": now} for i in range(1000)])
        categories = list(session.scalars(select(Category.id)))
        session.execute(insert(Thread), [
            {"category_id": categories[i % len(categories)], "author_id": rng.randint(1, 1000),
             "title": sentence(rng)[:120], "lang": rng.choice(["fr", "nl"]), "created_at": now,
             "last_post_at": now - dt.timedelta(minutes=i), "post_count": 0} for i in range(2000)])
        counts = [50] + [1] * 1999
        for index in rng.choices(range(1, 2000), k=50000 - sum(counts)):
            counts[index] += 1
        rows = []
        for thread_index, count in enumerate(counts):
            for k in range(count):
                body = "\n\n".join(" ".join(sentence(rng) for _ in range(rng.randint(2, 6))) for _ in range(2))
                rows.append({"thread_id": thread_index + 1, "author_id": rng.randint(1, 1000), "body_md": body,
                             "body_html": render(body), "status": "published", "notices": "",
                             "created_at": now - dt.timedelta(days=30) + dt.timedelta(minutes=k)})
            if len(rows) >= 5000:
                session.execute(insert(Post), rows)
                rows = []
        if rows:
            session.execute(insert(Post), rows)
        for thread_index, count in enumerate(counts):
            session.execute(Thread.__table__.update().where(Thread.id == thread_index + 1).values(post_count=count))
        session.commit()
    db.dispose()
    return 1


def wrk(url: str, duration: str, connections: int, cookie: str | None = None) -> dict[str, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {"req/s": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}  # type: ignore[union-attr]
    for pct in ("50%", "99%"):
        match = re.search(rf"\s{re.escape(pct)}\s+([\d.]+\w+)", out)
        result[f"p{pct[:-1]}"] = match.group(1) if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non-2xx"] = errors.group(1) if errors else "0"
    return result


def member_cookie(url: str) -> str:
    """A session cookie for one generated member (a fresh session each run: nothing to log in with)."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.accounts.service import open_session
    from app.db import Database
    from app.settings import Settings

    settings = Settings(database_url=url, data_dir=DATA)
    db = Database(settings)
    with db.session() as session:
        user = session.scalars(select(User).order_by(User.id).limit(1)).one()
        token = open_session(session, settings, user=user, device="bench")
        session.commit()
    db.dispose()
    return f"tk_session={token}"


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"server on port {port} did not start")


def load() -> str:
    return os.getloadavg().__repr__()


def line(name: str, result: dict[str, str], ceiling: float | None) -> str:
    ratio = f"{float(result['req/s']) / ceiling:6.1%} of ceiling" if ceiling else ""
    return (f"{name:34} {result['req/s']:>9} req/s   p50 {result['p50']:>8}   p99 {result['p99']:>8}"
            f"   non-2xx {result['non-2xx']:>3}   {ratio}")


def peer_table() -> None:
    """The latest ../shared/bench/peer.sh table on this machine, if it was run (its own run, not this one)."""
    results = Path(os.environ.get("PEER_BASE", "/tmp/peerbench")) / "results"
    tables = sorted(results.glob("*/table.md")) if results.exists() else []
    if tables:
        print(f"peer.sh numbers from {tables[-1].parent.name} (another run; compare ratios, not req/s):")
        print(tables[-1].read_text())


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 0
    db_file = DATA / "forum.sqlite3"
    url = f"sqlite:///{db_file}"
    if os.environ.get("REBUILD") or not db_file.exists():
        shutil.rmtree(DATA, ignore_errors=True)
        DATA.mkdir(parents=True)
        started = time.perf_counter()
        build(url)
        print(f"built 50,000 posts in {time.perf_counter() - started:.0f} s")
    from app.cli import migrate_database

    migrate_database(url)  # data built by an older checkout gets this one's tables
    cookie = member_cookie(url)
    duration, connections = os.environ.get("DUR", "10s"), int(os.environ.get("CONN", "32"))
    print(f"wrk -t2 -c{connections} -d{duration}, 2 uvicorn workers each, SQLite; load average at start {load()}")
    # The ceiling first, then the forum, in the same run (the load on a shared machine moves).
    ceiling = serve([sys.executable, "-m", "uvicorn", "bench.ceiling.app:app", "--port", str(CEILING_PORT),
                     "--workers", "2", "--no-access-log", "--log-level", "warning",
                     "--timeout-worker-healthcheck", "60"],
                    dict(os.environ), CEILING_PORT)
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{CEILING_PORT}/fr/t/1").read().decode()
        assert page.count('class="post post-') == 25
        wrk(f"http://127.0.0.1:{CEILING_PORT}/fr/t/1", "3s", connections)
        base = wrk(f"http://127.0.0.1:{CEILING_PORT}/fr/t/1", duration, connections)
        print(line("ceiling: FastAPI + Jinja2, 25 posts", base, None), flush=True)
    finally:
        ceiling.terminate()
        ceiling.wait(timeout=20)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA), "FORUM_THREAD_PAGE_SIZE": "25",
           "FORUM_ENVIRONMENT": "development"}
    server = serve([sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", "2"], env, PORT)
    ceiling_rps = float(base["req/s"])
    # Let start-up work (the moderation engine's warm-up thread) finish before measuring.
    wrk(f"http://127.0.0.1:{PORT}/fr/t/1", "15s", connections)
    try:
        pages = (("thread page, 25 posts, visitor", "/fr/t/1", None),
                 ("category page, visitor", "/fr/c/tapering-now?langs=all", None),
                 ("home page, visitor", "/fr/", None),
                 ("thread page, 25 posts, member", "/fr/t/1", cookie))
        for name, path, with_cookie in pages:
            request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}",
                                             headers={"Cookie": with_cookie} if with_cookie else {})
            page = urllib.request.urlopen(request).read().decode()
            assert page.count('class="post post-') == 25 or "thread-row" in page or "category" in page, name
            wrk(f"http://127.0.0.1:{PORT}{path}", "3s", connections, with_cookie)  # warm-up
            result = wrk(f"http://127.0.0.1:{PORT}{path}", duration, connections, with_cookie)
            print(line(name, result, ceiling_rps), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"load average at end {load()}")
    peer_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
