"""Screening calls into the moderation engine: its first, slow check is made once per language."""

from __future__ import annotations

import threading
import time

import pytest

from app.forum import screening


def test_first_checks_arriving_together_build_the_engine_once(monkeypatch: pytest.MonkeyPatch) -> None:
    building = False  # the first check is running (building the engine)
    overlapped, calls = [], []
    lock = threading.Lock()

    def slow_first_check(text: str, lang: str) -> list[object]:
        nonlocal building
        with lock:
            overlapped.append(building)
            first = not calls
            calls.append(lang)
            building = building or first
        if first:
            time.sleep(0.1)  # compiling the lexicons
            building = False
        return []

    monkeypatch.setattr(screening.moderation, "check", slow_first_check)
    monkeypatch.setattr(screening, "_ready", set())
    threads = [threading.Thread(target=screening.check_text, args=("Bonjour", "fr")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(overlapped)  # nobody built a second engine beside the first
    assert len(calls) == 8 and screening._ready == {"fr"}
    # Once ready, checks no longer queue on the lock.
    assert screening._first_check.acquire(blocking=False)
    try:
        assert screening.check_text("Dag", "fr") == []
    finally:
        screening._first_check.release()
