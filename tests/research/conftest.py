from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def research_settings(request: pytest.FixtureRequest) -> None:
    """Exports run in the test's process after commit, anonymised by the rules (fast); the
    anonymiser's own tests load the NLP models. Tests without a database stay without one."""
    if "settings" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.research.worker = "inline"
        settings.research.anonymiser = "rules"
