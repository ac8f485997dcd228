"""The `forum` command: contract sub-commands that other tools rely on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli as cli_module
from app.forum.models import Category, Post, Thread
from app.search.backend import SearchQuery
from app.search.documents import indexable_ids
from app.search.models import OutboxEntry
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_seed_scale_builds_a_searchable_corpus(app: FastAPI, session: Session, settings: Settings,
                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`forum seed --scale N` still works with the generator in bench/, outside the app package."""
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_module.cli, ["seed", "--scale", "400"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count(Category.id)))
    assert session.scalar(select(func.count(Post.id))) == 400
    assert session.scalar(select(func.sum(Thread.post_count))) == 400
    backend = app.state.search
    assert backend.indexed_ids(session) == indexable_ids(session)
    page = backend.search(session, SearchQuery(text="sevrage"))
    assert page.total > 0 and "<mark>" in page.items[0].snippet_html


@pytest.mark.slow
def test_seed_demo_in_a_fresh_process_fills_the_search_outbox(session: Session, settings: Settings) -> None:
    """The command connects the domains' listeners itself, as the app does (a fresh process proves it)."""
    env = {**os.environ, "FORUM_DATABASE_URL": settings.database_url, "FORUM_DATA_DIR": str(settings.data_dir),
           "FORUM_SECRET_KEY": settings.secret_key}
    done = subprocess.run([sys.executable, "-m", "app.cli", "seed", "--demo"], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    posts = set(session.scalars(select(Post.id)))
    queued = set(session.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.entity == "post")))
    assert posts and queued == posts
