from __future__ import annotations

import pytest

from app.settings import Settings


@pytest.fixture(autouse=True)
def research_settings(settings: Settings) -> Settings:
    """Exports run in the test's process after commit, anonymised by the rules (fast); the
    anonymiser's own tests load the NLP models."""
    settings.research.worker = "inline"
    settings.research.anonymiser = "rules"
    return settings
