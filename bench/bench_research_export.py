"""Research export speed and memory on the `forum seed --scale` corpus: posts/s and peak RSS.

Builds (once, then reuses) a SQLite corpus of SCALE posts (default 20,000) under var/bench/,
gives research consent to about 70 % of its members, approves a project, then builds a
JSONL export in a fresh process per anonymiser (MODES, default "rules nlp"), and prints
posts per second, the memory after the models are loaded, and the peak. The export
streams a batch of threads at a time, so its own memory should not grow with SCALE:
compare two SCALEs (e.g. SCALE=5000 and SCALE=50000) to see it.

Child mode (used internally): `python bench/bench_research_export.py --child MODE URL OUT`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = int(os.environ.get("SCALE", "20000"))
MODES = os.environ.get("MODES", "rules nlp").split()


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _forum(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env={**os.environ, **env},
                            check=True, capture_output=True, text=True)
    return result.stdout


def prepare(folder: Path) -> tuple[str, int]:
    url = f"sqlite:///{folder / 'forum.sqlite3'}"
    env = {"FORUM_DATABASE_URL": url, "FORUM_DATA_DIR": str(folder)}
    marker = folder / "project-id"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _forum(env, "migrate")
        started = time.perf_counter()
        _forum(env, "seed", "--scale", str(SCALE))
        print(f"  corpus of {SCALE:,} posts built in {time.perf_counter() - started:.0f} s", flush=True)
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:  # consent for ~70 % of members, as a bulk insert
            conn.execute(text(
                "INSERT INTO research_consents (user_id, posts, diary, posts_version, diary_version, asked_version,"
                " updated_at) SELECT id, 1, 0, 1, NULL, 1, CURRENT_TIMESTAMP FROM accounts_users WHERE id % 10 < 7"
            ))
        engine.dispose()
        project = _forum(env, "research", "project", "add", "--title", "Benchmark", "--institution", "Bench",
                         "--ethics-ref", "BENCH-1", "--expires", "2099-12-31", "--approve").strip()
        marker.write_text(project)
    return url, int(marker.read_text())


def child(mode: str, url: str, out: str, project_id: int) -> None:
    from app.db import Database
    from app.research import exports
    from app.research.schemas import ExportOptions
    from app.settings import Settings

    settings = Settings(database_url=url, data_dir=Path(out).parent)
    settings.research.anonymiser = "nlp" if mode == "nlp" else "rules"
    baseline = _rss_mb()
    factory = exports.anonymiser_factory(settings)
    if mode == "nlp":  # load the models before timing, as a running worker has them loaded
        from app.research.anonymise.core import MemberNames

        factory(MemberNames()).anonymise("Bonjour", "nl")
    loaded = _rss_mb()
    db = Database(settings)
    started = time.perf_counter()
    export = exports.export_from_cli(db, settings, project_id=project_id, options=ExportOptions(format="jsonl"),
                                     out=Path(out))
    seconds = time.perf_counter() - started
    print(json.dumps({"posts": export.counts["posts"], "consented": export.counts["consented_posts"],
                      "seconds": seconds, "baseline_mb": baseline, "loaded_mb": loaded,
                      "peak_mb": _rss_mb("VmHWM"), "zip_mb": export.size_bytes / 2**20}))


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    folder = ROOT / "var" / "bench" / f"research-sqlite-{SCALE}"
    url, project_id = prepare(folder)
    for mode in MODES:
        out = folder / f"export-{mode}.zip"
        result = subprocess.run([sys.executable, __file__, "--child", mode, url, str(out), str(project_id)],
                                cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{mode:6} failed: {result.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        numbers = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"{mode:6} {numbers['posts']:,} posts ({numbers['consented']:,} consented) in "
              f"{numbers['seconds']:.1f} s: {numbers['posts'] / numbers['seconds']:,.0f} posts/s; memory: "
              f"{numbers['baseline_mb']:.0f} MB at start, {numbers['loaded_mb']:.0f} MB with the anonymiser loaded, "
              f"peak {numbers['peak_mb']:.0f} MB; zip {numbers['zip_mb']:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
