"""PostgreSQL search, this checkout against another one, query by query on the same connection.

`python bench/search_ab.py /work/main` runs the 300 two-word queries of bench_search.py
through the other checkout's app/search/postgres.py and text.py ("old") and this one's
("new"; everything else they import is this checkout's), alternating which goes first,
each search its own transaction. It prints the wall time, the wall time without CPU
waits, and the CPU time of Python and of the PostgreSQL backend (Linux schedstat).
On a shared, loaded machine the wall times of two separate runs differ by more than
the change being measured; interleaved, both sides see the same load, and the CPU
times say what each costs. BENCH_DB (default bench_search_1m) on BENCH_POSTGRES_URL
must hold the corpus (bench_search.py builds it); ROUNDS (default 2) runs the list
that many times and reports the last.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app.db import Database  # noqa: E402
from app.search import postgres as new_postgres  # noqa: E402
from app.search.backend import SearchQuery  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.bench_search import _schedstat, two_word_queries  # noqa: E402


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return f"p50 {statistics.median(values):6.1f}  p95 {p95:6.1f}  max {values[-1]:6.1f}"


def main() -> int:
    other = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    old_text = _load(other / "app" / "search" / "text.py", "old_search_text")
    old_postgres = _load(other / "app" / "search" / "postgres.py", "old_search_postgres")
    old_postgres.search_text = old_text  # type: ignore[attr-defined]
    backends = {"old": old_postgres.PostgresFts(), "new": new_postgres.PostgresFts()}
    server_url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:54329/postgres")
    url = server_url.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DB", "bench_search_1m")
    db = Database(Settings(database_url=url, data_dir=ROOT / "var" / "bench"))
    me = f"/proc/self/task/{threading.get_native_id()}/schedstat"
    figures: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in backends}
    queries = two_word_queries(int(os.environ.get("QUERIES", "300")))
    rounds = int(os.environ.get("ROUNDS", "2"))
    print(f"load average {os.getloadavg()}", flush=True)
    with db.session(write=False) as session:
        server = f"/proc/{session.scalar(text('SELECT pg_backend_pid()'))}/schedstat"
        session.commit()
        for round_ in range(rounds):
            for index, query in enumerate(queries):
                for name in ("old", "new") if (index + round_) % 2 == 0 else ("new", "old"):
                    mine, theirs = _schedstat(me), _schedstat(server)
                    started = time.perf_counter_ns()
                    backends[name].search(session, SearchQuery(text=query))
                    session.commit()
                    wall = (time.perf_counter_ns() - started) / 1e6
                    mine_after, theirs_after = _schedstat(me), _schedstat(server)
                    waited = (mine_after[1] - mine[1] + theirs_after[1] - theirs[1]) / 1e6
                    if round_ == rounds - 1:
                        figures[name].append((wall, wall - waited, (mine_after[0] - mine[0]) / 1e6,
                                              (theirs_after[0] - theirs[0]) / 1e6))
    db.dispose()
    print(f"load average {os.getloadavg()}")
    for name, rows in figures.items():
        print(f"{name}  wall {_summary([r[0] for r in rows])}   without CPU waits {_summary([r[1] for r in rows])}")
        print(f"{'':4} CPU: Python {_summary([r[2] for r in rows])}   PostgreSQL {_summary([r[3] for r in rows])}"
              f"   both {_summary([r[2] + r[3] for r in rows])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
