"""Posting throughput through the JSON API: posts/s and errors, 2 workers, SQLite and PostgreSQL.

Builds a fresh forum (SQLite under var/bench/posting; on PostgreSQL, when BENCH_POSTGRES_URL is set,
the database it names, or forum_bench_posting if it names postgres), with MEMBERS members each
holding a session and 50 threads, serves it with `forum serve --workers 2`, and
has wrk POST replies to /api/v1/threads/{id}/posts (each request as a random
member, to a random thread, with its X-CSRF-Token) for DUR. Every post goes the
whole way: screening, the page versions, the search outbox and in-process indexer.
Prints posts/s, latency and the count of non-201 answers, and checks the
database holds exactly as many new posts as wrk counted 201s.

The members are established ones (their posts go out at once, past the newcomers'
welcome) and the anti-flood limit is raised for the run (FORUM_TRUST__POSTS_PER_HOUR):
64 people posting hundreds of replies a second is a load test, and with the real limit
(30 an hour each) the answers would soon be 429s, which measure nothing.
Also prints the workers' CPU time (user + system, from /proc) per new post during the
measured run: what one post costs the served app, uvicorn's HTTP parsing included, and a
figure that moves less with the machine's load than posts/s; on PostgreSQL (server on this
machine) the same for the server processes connected to the bench's database.
Env: DUR (default 10s), BENCH_PORT (8319), CONN (16), MEMBERS (64), ONLY=sqlite|postgresql, PROFILE=1 (py-spy
records both workers during the measured run, --gil: where the CPU goes; prints the top
entries as bench/profile_pages.py does; needs py-spy), TOP (25), PROFILE_RAW=path (keeps
py-spy's raw stacks there). PROFILE=wall samples every thread, waiting or not (--idle instead of
--gil): where requests wait (write lock, fsync, the GIL, the thread pool).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import serve  # noqa: E402
from bench.profile_pages import aggregate, children  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8319"))  # another port when several checkouts bench at once
SECRET = "bench-posting-secret-" + "x" * 32
DATA = ROOT / "var" / "bench" / "posting"

LUA = """
local members = %s
local threads = %d
local bodies = {"Courage, on est avec toi. Ca ira mieux petit a petit.",
                "Merci pour ton message, je me reconnais dans ce que tu ecris.",
                "Bij mij ging het ook zo, houd moed en praat met je huisarts."}
local n = 0
request = function()
  n = n + 1
  local m = members[math.random(#members)]
  local body = '{"body": "' .. bodies[math.random(#bodies)] .. ' (' .. n .. ')"}'
  return wrk.format("POST", "/api/v1/threads/" .. math.random(threads) .. "/posts",
    {["Content-Type"] = "application/json", ["Cookie"] = "tk_session=" .. m[1], ["X-CSRF-Token"] = m[2]}, body)
end
"""


def prepare(url: str, members: int) -> list[tuple[str, str]]:
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.accounts.service import open_session
    from app.cli import migrate_database
    from app.db import Database, utcnow
    from app.forum import service
    from app.forum.models import Category
    from app.forum.seed import seed_categories
    from app.security import csrf_token_for
    from app.settings import Settings

    migrate_database(url)
    settings = Settings(database_url=url, data_dir=DATA, secret_key=SECRET)
    db = Database(settings)
    tokens = []
    with db.session() as session:
        seed_categories(session)
        category = session.scalars(select(Category).order_by(Category.id)).first()
        assert category is not None and session.scalar(select(func.count(User.id))) == 0
        users = [User(pseudonym=f"membre{i}", pseudonym_folded=f"membre{i}", pseudonym_skeleton=f"membre{i}",
                      password_hash="!", created_at=utcnow(), published_posts=10, approved_posts=10)
                 for i in range(members)]
        session.add_all(users)
        session.flush()
        for i in range(50):
            service.create_thread(session, category=category, author=users[i % members],
                                  title=f"Fil de test numéro {i}", body="Bonjour à tous, je commence à diminuer.",
                                  lang="fr")
        for user in users:
            token = open_session(session, settings, user=user, device="bench")
            tokens.append((token, csrf_token_for(SECRET.encode(), token)))
        session.commit()
    db.dispose()
    return tokens


def count_posts(url: str) -> int:
    from sqlalchemy import func, select

    from app.db import Database
    from app.forum.models import Post
    from app.settings import Settings

    db = Database(Settings(database_url=url, data_dir=DATA, secret_key=SECRET))
    with db.session(write=False) as session:
        total = session.scalar(select(func.count(Post.id))) or 0
    db.dispose()
    return total


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(url: str) -> dict[int, float]:
    """PostgreSQL: CPU seconds so far of each server process connected to this database (empty on SQLite
    or when the server runs elsewhere, in another PID namespace)."""
    if not url.startswith("postgresql"):
        return {}
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                               " AND pid <> pg_backend_pid()")]
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that ended meanwhile
            found[pid] = cpu_seconds(pid)
    return found


def wait_idle(server_pid: int, limit: float = 180, workers: int = 2) -> None:
    """Until the workers' start-up work (the moderation engine for three languages, about 5 s of CPU
    each, longer on a busy machine) is done: every worker under 5 % of a core for a second.

    The server answers as soon as its first worker does: the workers are listed again each
    round, and none is idle before all of them are there (a second worker still starting,
    missed by a list made at once, warmed up during the measured run, on a loaded machine)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pids = children(server_pid)
        if len(pids) < workers:
            time.sleep(0.5)
            continue
        before = {}
        for pid in pids:
            with contextlib.suppress(OSError):
                before[pid] = cpu_seconds(pid)
        time.sleep(1)
        try:
            idle = all(cpu_seconds(pid) - used < 0.05 for pid, used in before.items())
            if idle and set(children(server_pid)) == set(pids):
                return
        except OSError:  # a process that ended meanwhile (multiprocessing's helpers): look again
            continue


def profile(server_pid: int, duration: str) -> Path:
    """py-spy on the served workers for most of the run (the first and last second left out)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    seconds = max(1, int(re.sub(r"\D", "", duration) or 10) - 2)
    out = Path(tempfile.mkdtemp(prefix="profile-posting-"))
    time.sleep(1)
    mode = ["--idle"] if os.environ.get("PROFILE") == "wall" else ["--gil"]
    spies = [subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200", *mode,
                               "--format", "raw", "--output", str(out / f"{pid}.txt")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in children(server_pid)]
    for spy_process in spies:
        spy_process.wait()
    return out


def run(name: str, url: str) -> None:
    members, duration, connections = int(os.environ.get("MEMBERS", "64")), os.environ.get("DUR", "10s"), \
        int(os.environ.get("CONN", "16"))
    tokens = prepare(url, members)
    before = count_posts(url)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA), "FORUM_SECRET_KEY": SECRET,
           "FORUM_ENVIRONMENT": "development", "FORUM_TRUST__POSTS_PER_HOUR": "1000000"}
    server = serve([sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", "2"], env, PORT)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA % ("{" + ",".join(json.dumps([t, c]).replace("[", "{").replace("]", "}")
                                            for t, c in tokens) + "}", 50))
    try:
        wait_idle(server.pid)
        # Warm-up, not counted: each worker builds the moderation engine in the background after
        # start (seconds on a busy machine); wait until posting answers quickly.
        for _ in range(30):
            out = subprocess.run(["wrk", "-t2", "-c4", "-d3s", "--latency", "-s", str(script),
                                  f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, check=True).stdout
            # Timeouts are left out of wrk's latencies: a worker still warming up shows only as those.
            p90 = re.search(r"\s90%\s+([\d.]+)(\w+)", out)
            if p90 and p90.group(2) in ("us", "ms") and float(p90.group(1)) < 500 \
                    and "Socket errors" not in out and "Non-2xx" not in out:
                break
        before = count_posts(url)
        load = os.getloadavg()
        workers = children(server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in workers)
        backends_before = backend_cpu(url)
        wrk = subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", "-s", str(script),
                                f"http://127.0.0.1:{PORT}"], stdout=subprocess.PIPE, text=True)
        profiles = profile(server.pid, duration) if os.environ.get("PROFILE") else None
        out = wrk.communicate()[0]
        worker_cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
        backends = backend_cpu(url)
        database_cpu = sum(used - backends_before.get(pid, 0.0) for pid, used in backends.items())
        if profiles is not None:
            print(f"py-spy --gil on 2 workers during the {name} run:")
            aggregate(sorted(profiles.glob("*.txt")), int(os.environ.get("TOP", "25")))
            if os.environ.get("PROFILE_RAW"):  # keep py-spy's raw stacks (suffixed with the database)
                with open(f"{os.environ['PROFILE_RAW']}.{name.lower()}", "w") as raw:
                    raw.writelines(f.read_text() for f in sorted(profiles.glob("*.txt")))
            shutil.rmtree(profiles, ignore_errors=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        script.unlink()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", out)
    written = count_posts(url) - before
    print(f"{name:11} {rps:>8} posts/s   p50 {p50.group(1) if p50 else '?':>8}   p99 {p99.group(1) if p99 else '?':>8}"
          f"   non-2xx {errors.group(1) if errors else 0}   {socket_errors.group(1) if socket_errors else ''}"
          f"   CPU/post: workers {worker_cpu / max(written, 1) * 1000:.1f} ms"
          + (f", PostgreSQL {database_cpu / max(written, 1) * 1000:.1f} ms" if backends else "")
          + f"   ({done} answered, {written} new rows; wrk -t2 -c{connections} -d{duration}, 2 workers,"
          f" {members} members, load {load[0]:.1f})", flush=True)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 0
    only = os.environ.get("ONLY")
    if only != "postgresql":
        shutil.rmtree(DATA, ignore_errors=True)
        DATA.mkdir(parents=True)
        run("SQLite", f"sqlite:///{DATA / 'forum.sqlite3'}")
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if only == "sqlite":
        return 0
    if not pg:
        print("PostgreSQL skipped: set BENCH_POSTGRES_URL=postgresql://user@host:port/postgres to measure it")
        return 0
    from bench.scratch import scratch_postgres

    DATA.mkdir(parents=True, exist_ok=True)
    # BENCH_POSTGRES_URL's own database when it names one (a checkout benching beside another), else this name.
    name = pg.rsplit("/", 1)[1].split("?", 1)[0]
    with scratch_postgres(pg, name if name not in ("", "postgres") else "forum_bench_posting") as url:
        run("PostgreSQL", url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
