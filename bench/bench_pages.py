"""HTTP throughput of the thread and category pages, measured with wrk on loopback.

Builds a SQLite forum under var/bench/pages (1,000 members, 2,000 threads, 50,000 posts,
one thread with exactly 50 posts — the same shape as shared/bench/peer.sh's Spirit site),
serves it with `forum serve --workers 2`, and runs wrk against the 50-post thread page
and a category page. Needs wrk (Debian package `wrk`). Prints requests/s and latency.
Env: DUR (default 10s), CONN (32), REBUILD=1 to regenerate the data.
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


def wrk(url: str, duration: str, connections: int) -> dict[str, str]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    result = {"req/s": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}  # type: ignore[union-attr]
    for pct in ("50%", "99%"):
        match = re.search(rf"\s{re.escape(pct)}\s+([\d.]+\w+)", out)
        result[f"p{pct[:-1]}"] = match.group(1) if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non-2xx"] = errors.group(1) if errors else "0"
    return result


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
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA), "FORUM_THREAD_PAGE_SIZE": "50",
           "FORUM_ENVIRONMENT": "development"}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        duration, connections = os.environ.get("DUR", "10s"), int(os.environ.get("CONN", "32"))
        for name, path in (("thread page, 50 posts", "/fr/t/1"), ("category page", "/fr/c/tapering-now?langs=all")):
            page = urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}").read().decode()
            assert page.count('class="post post-') == 50 or "thread-row" in page
            wrk(f"http://127.0.0.1:{PORT}{path}", "3s", connections)  # warm-up
            result = wrk(f"http://127.0.0.1:{PORT}{path}", duration, connections)
            print(f"{name:28} {result['req/s']:>9} req/s   p50 {result['p50']:>8}   p99 {result['p99']:>8}"
                  f"   non-2xx {result['non-2xx']}   (wrk -t2 -c{connections} -d{duration}, 2 workers, SQLite)")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
