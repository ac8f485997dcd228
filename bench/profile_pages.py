"""Where a page's time goes: py-spy on the served workers while wrk loads one page.

Serves the bench_pages forum (build it first with `python bench/bench_pages.py`) with
2 workers, runs wrk on PATH (default the 25-post thread page) for DUR seconds, records
both workers with `py-spy record --format raw`, and prints the functions with the most
samples, own (the function itself running) and total (it or what it calls).
Needs py-spy (`.venv/bin/pip install py-spy`; it reads other processes' memory, so root
or ptrace permission). Env: PAGE=/fr/t/1, DUR=10, WARM=15 (seconds of load before recording),
COOKIE="tk_session=..." for a member (or MEMBER=1: a fresh session of the first generated member),
GIL=1 (count only threads holding the GIL: with 40 threads a worker, the others mostly wait for it),
TOP=25.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import DATA, PORT, member_cookie, serve  # noqa: E402


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


# Leaf frames of a thread that is waiting, not working (the thread pool's idle threads, the event loop's select).
IDLE = frozenset({"Condition.wait", "Runner.run", "Queue.get", "select", "_run_once", "BaseSelector.select"})


def frame_name(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':', 1)[0].rstrip(')')})" if where else name


def aggregate(files: list[Path], top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = idle = 0
    for file in files:
        for raw in file.read_text().splitlines():
            stack, _, count_text = raw.rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            frames = [frame_name(frame) for frame in stack.split(";")]
            if frames[-1].split(" ", 1)[0] in IDLE:
                idle += count
                continue
            samples += count
            own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
    print(f"{samples} busy samples ({idle} idle ones left out)")
    print("own time (the function itself), share of busy samples:")
    for frame, count in own.most_common(top):
        print(f"  {count / samples:6.1%}  {frame}")
    print("total time (with what it calls):")
    for frame, count in total.most_common(top):
        print(f"  {count / samples:6.1%}  {frame}")


def main() -> int:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if shutil.which("wrk") is None or not Path(spy).exists():
        print("needs wrk (apt-get install wrk) and py-spy (pip install py-spy)")
        return 0
    page, duration = os.environ.get("PAGE", "/fr/t/1"), int(os.environ.get("DUR", "10"))
    url = f"sqlite:///{DATA / 'forum.sqlite3'}"
    from app.cli import migrate_database

    migrate_database(url)  # data built by an older checkout gets this one's tables
    if os.environ.get("MEMBER") and not os.environ.get("COOKIE"):
        os.environ["COOKIE"] = member_cookie(url)
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(DATA), "FORUM_THREAD_PAGE_SIZE": "25",
           "FORUM_ENVIRONMENT": "development"}
    server = serve([sys.executable, "-m", "app.cli", "serve", "--port", str(PORT), "--workers", "2"], env, PORT)
    out = Path(tempfile.mkdtemp(prefix="profile-"))
    try:
        workers = children(server.pid)
        cookie = ["-H", f"Cookie: {os.environ['COOKIE']}"] if os.environ.get("COOKIE") else []
        # Start-up work (templates, the moderation engine's warm-up thread) is not what we measure.
        subprocess.run(["wrk", "-t2", "-c32", f"-d{os.environ.get('WARM', '15')}s", *cookie,
                        f"http://127.0.0.1:{PORT}{page}"],
                       stdout=subprocess.DEVNULL, check=True)
        load = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{duration + 4}s", *cookie, f"http://127.0.0.1:{PORT}{page}"],
                                stdout=subprocess.DEVNULL)
        only_gil = ["--gil"] if os.environ.get("GIL") else []  # only threads holding the GIL: CPU, not waits
        spies = [subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200",
                                   *only_gil, "--format", "raw", "--output", str(out / f"{pid}.txt")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in workers]
        for spy_process in spies:
            spy_process.wait()
        load.wait()
        print(f"py-spy on {len(workers)} workers, wrk -c32 on {page} for {duration} s, load {os.getloadavg()}")
        aggregate(sorted(out.glob("*.txt")), int(os.environ.get("TOP", "25")))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
