"""CPU time per request of the forum's pages, in one process, without a server or wrk.

Less sensitive to the machine's load than requests/s: `time.process_time` counts only this
process's CPU, whatever else runs on the shared cores. Uses bench_pages' forum (build it first
with `python bench/bench_pages.py`, or REBUILD there), 25 posts a page, requests through the
whole ASGI app (middleware, routing, dependencies, templates) with Starlette's TestClient, no
background threads (the lifespan is not started).
First /livez, the floor every request pays here (the test client and middleware).
Env: N=300 requests a page (after 30 of warm-up), PAGES=member,visitor (member: the 25-post
thread page for the first generated member; visitor: the same page, then the category and home
pages, logged out), PROFILE=1 to record the member page's requests with py-spy (this process, every
thread, only samples holding the GIL) and print the top functions (TOP=30), as profile_pages.py does
(RAW=file keeps py-spy's raw output).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import DATA, member_cookie  # noqa: E402
from bench.profile_pages import aggregate  # noqa: E402


def measure(client, path: str, cookies: dict[str, str], n: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median and p95 CPU ms per request, and the worst wall-clock ms (the median moves least with the load)."""
    for _ in range(30):
        assert client.get(path, cookies=cookies).status_code == 200
    cpu, wall = [], []
    for _ in range(n):
        started, started_wall = time.process_time(), time.perf_counter()
        response = client.get(path, cookies=cookies)
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        assert response.status_code == 200, response.status_code
    cpu.sort()
    return statistics.median(cpu), cpu[int(len(cpu) * 0.95)], max(wall)


def main() -> int:
    url = f"sqlite:///{DATA / 'forum.sqlite3'}"
    from app.cli import migrate_database

    migrate_database(url)
    os.environ.update({"FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA), "FORUM_THREAD_PAGE_SIZE": "25",
                       "FORUM_ENVIRONMENT": "development"})
    from fastapi.testclient import TestClient

    from app.main import create_app

    app = create_app()
    client = TestClient(app, base_url="http://127.0.0.1")
    name, _, value = member_cookie(url).partition("=")
    member = {name: value}
    n = int(os.environ.get("N", "300"))
    pages = os.environ.get("PAGES", "member,visitor").split(",")
    print(f"{n} requests a page, load average {os.getloadavg()}")
    # The floor: a request that does nearly nothing (TestClient and the middleware cost the same on every page).
    mean, p95, worst = measure(client, "/livez", {}, n)
    print(f"floor /livez               CPU median {mean:6.2f} ms  p95 {p95:6.2f} ms  (worst wall {worst:6.1f} ms)")
    if "member" in pages:
        page = client.get("/fr/t/1", cookies=member).text
        assert page.count('class="post post-') == 25 and "logout" in page.lower(), "not a member's 25-post page"
        mean, p95, worst = measure(client, "/fr/t/1", member, n)
        print(f"member thread /fr/t/1      CPU median {mean:6.2f} ms  p95 {p95:6.2f} ms  (worst wall {worst:6.1f} ms)")
    if "visitor" in pages:
        for path in ("/fr/t/1", "/fr/c/tapering-now?langs=all", "/fr/"):
            mean, p95, worst = measure(client, path, {}, n)
            print(f"visitor {path:28} CPU median {mean:6.2f} ms  p95 {p95:6.2f} ms  (worst wall {worst:6.1f} ms)")
    if os.environ.get("PROFILE"):
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        out = Path(os.environ.get("RAW") or Path(tempfile.mkdtemp(prefix="cpu-pages-")) / "raw.txt")
        recorder = subprocess.Popen([spy, "record", "--pid", str(os.getpid()), "--rate", "500", "--gil",
                                     "--format", "raw", "--output", str(out)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        for _ in range(n):
            client.get("/fr/t/1", cookies=member)
        recorder.send_signal(2)  # SIGINT: py-spy writes what it recorded
        recorder.wait()
        aggregate([out], int(os.environ.get("TOP", "30")))
        if not os.environ.get("RAW"):
            shutil.rmtree(out.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
