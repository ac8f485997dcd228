"""A search engine that accepts connections and never answers: posting stays fast, search falls back, nothing lost."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.search.models import OutboxEntry
from app.settings import Settings
from tests.reliability.engines import HangingProxy, MeiliStandIn
from tests.served import Served, ServedApp, assert_logs_private, child_env, log_in, member_with_category

REAL_MEILI = os.environ.get("FORUM_TEST_MEILI_URL", "")


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def engine() -> Iterator[tuple[str, MeiliStandIn | None]]:
    """The real Meilisearch when one is configured, else the stand-in."""
    if REAL_MEILI:
        yield REAL_MEILI, None
        return
    stand_in = MeiliStandIn()
    yield stand_in.url, stand_in
    stand_in.close()


@pytest.mark.slow
@pytest.mark.parametrize("worker", ["inprocess", "external"])
def test_hanging_engine(worker: str, settings: Settings, db: Database, tmp_path: Path,
                        engine: tuple[str, MeiliStandIn | None]) -> None:
    upstream, stand_in = engine
    proxy = HangingProxy(upstream)
    index = f"hang_{uuid.uuid4().hex[:10]}"
    env = {"FORUM_SEARCH__BACKEND": "meilisearch", "FORUM_SEARCH__MEILI_URL": proxy.url,
           "FORUM_SEARCH__MEILI_KEY": os.environ.get("FORUM_TEST_MEILI_KEY", ""),
           "FORUM_SEARCH__MEILI_INDEX": index, "FORUM_SEARCH__WORKER": worker,
           # Shorter than production's, so the test stays short; the logic is the same.
           "FORUM_SEARCH__INDEX_TIMEOUT": "2", "FORUM_SEARCH__BREAKER_SECONDS": "1",
           # A newcomer's posts would wait for a welcome (unsearchable) and meet the newcomers' limit.
           "FORUM_TRUST__PREMODERATED_POSTS": "0", "FORUM_TRUST__NEWCOMER_POSTS_PER_HOUR": "1000"}
    member_with_category(db, "Patiente-Recherche", "tapering-now")
    app = ServedApp(settings, tmp_path, **env)
    background = Served(["worker", "--interval", "0.2"], child_env(settings, **env), tmp_path / "worker.log", tmp_path)
    if worker == "external":
        background.start()
    app.start()
    client = app.client()
    try:
        token = log_in(client, "Patiente-Recherche")

        def post(word: str, n: int) -> tuple[float, int]:
            started = time.perf_counter()
            response = client.post("/api/v1/categories/tapering-now/threads", headers={"X-CSRF-Token": token},
                                   json={"title": f"Nuit {n}", "body": f"{word} numero{n}", "lang": "fr"})
            assert response.status_code == 201, response.text
            return time.perf_counter() - started, int(response.json()["first_post_id"])

        def search(word: str) -> tuple[float, dict]:
            started = time.perf_counter()
            response = client.get("/api/v1/search", params={"q": word})
            assert response.status_code == 200, response.text
            return time.perf_counter() - started, response.json()

        def found(word: str, ids: set[int], *, fallback: bool) -> bool:
            result = search(word)[1]
            return result["fallback"] is fallback and {i["post_id"] for i in result["items"]} >= ids

        healthy = [post("avantpanne", n) for n in range(6)]
        before = {post_id for _, post_id in healthy}
        _until(lambda: found("avantpanne", before, fallback=False), 20, "posts reach the engine")
        # This machine's own pace with a healthy engine (a loaded shared machine is slower):
        baseline_post = sorted(t for t, _ in healthy[1:])[-2]
        baseline_search = min(search("avantpanne")[0] for _ in range(3))

        proxy.hang()
        during = [post("pendantpanne", n) for n in range(12)]
        latencies = sorted(t for t, _ in during)
        during_ids = {post_id for _, post_id in during}
        first_search, result = search("pendantpanne")
        assert result["fallback"] is True
        if worker == "inprocess":  # the committing request updated the fallback index itself
            assert {i["post_id"] for i in result["items"]} == during_ids
        else:  # the worker keeps it current while the engine hangs
            _until(lambda: found("pendantpanne", during_ids, fallback=True), 20, "fallback finds outage posts")
        later_searches = [search("pendantpanne")[0] for _ in range(3)]

        proxy.answer()
        _until(lambda: found("pendantpanne", during_ids, fallback=False), 40, "outage posts reach the engine")
        with Session(db.engine) as session:
            _until(lambda: session.scalar(select(func.count(OutboxEntry.id))) == 0, 20, "outbox drained")
        if stand_in is not None:
            assert set(stand_in.documents(index)) == before | during_ids  # nothing lost, nothing extra
        print(f"\n[{worker}] healthy engine: posting {baseline_post * 1000:.0f} ms, search "
              f"{baseline_search * 1000:.0f} ms")
        print(f"[{worker}] posting while the engine hangs: median {statistics.median(latencies) * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms; first search {first_search * 1000:.0f} ms, "
              f"then {max(later_searches) * 1000:.0f} ms at most")
        # Under 300 ms (p90), or no slower than three times this machine's pace with a healthy engine
        # when other work loads it (a fresh-clone CI run on two busy cores once measured 205 ms against a
        # 95 ms baseline); and never anything like the engine's timeout (2 s here), which a post that
        # waited for the hanging engine would take.
        assert latencies[int(len(latencies) * 0.9)] < max(0.3, 3 * baseline_post), (latencies, baseline_post)
        assert latencies[-1] < 1.0, latencies
        search_limit = max(0.3, 0.15 + 3 * baseline_search)  # the query timeout, then the database answers
        assert first_search < search_limit and max(later_searches) < search_limit, (first_search, baseline_search)
    finally:
        client.close()
        app.stop()
        background.stop()
        proxy.close()
    assert_logs_private(app.logs() + background.logs(), "Patiente-Recherche", "pendantpanne", "avantpanne")
    assert "Traceback" not in app.logs()


def test_the_stand_in_speaks_enough_meilisearch() -> None:
    """The stand-in answers the official client's calls the forum makes (or the hang test proves nothing)."""
    from app.search.backend import Document
    from app.search.meili import Meili
    from app.settings import SearchSettings

    stand_in = MeiliStandIn()
    try:
        meili = Meili(SearchSettings(backend="meilisearch", meili_url=stand_in.url, meili_index="probe"))
        meili.configure()
        meili.ping()
        import datetime as dt

        doc = Document(post_id=7, thread_id=1, title="Sevrage", body="acouphènes le soir", lang="fr",
                       category_id=1, category="tapering-now", visibility="public", created_at=dt.datetime.now(dt.UTC))
        meili.upsert(None, [doc])  # type: ignore[arg-type]
        assert meili.indexed_ids(None) == {7}  # type: ignore[arg-type]
        meili.delete(None, [7])  # type: ignore[arg-type]
        assert meili.indexed_ids(None) == set()  # type: ignore[arg-type]
        meili.wait()
    finally:
        stand_in.close()
    with httpx.Client() as client, pytest.raises(httpx.TransportError):
        client.get(stand_in.url + "/health", timeout=1)
