"""`forum moderation retrain`: moderators' labels join the corpus, held-out scores before switching, rollback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import moderation
from app import cli as cli_module
from app import settings as settings_module
from app.review import retrain
from app.review.models import Label
from app.settings import Settings
from moderation import corpus, model

OFFER = "Il me reste trois boîtes de Temesta en trop, envoyez-moi un MP si ça intéresse."
RETURNED = "J'ai ramené mes restes de Temesta à la pharmacie hier."
STOPPED = "Ce matin j'ai tout jeté à la poubelle, fini les cachets, je n'en prends plus."


def test_verdicts_become_posts_with_only_the_judged_categories_known() -> None:
    examples = retrain.label_examples([
        (OFFER, "fr", "sourcing", True),
        (OFFER, "fr", "personal_data", False),
        (RETURNED, "fr", "sourcing", True),
        (RETURNED, "fr", "sourcing", False),  # overturned on appeal: the later verdict counts
        (STOPPED, "fr", "cold_turkey_advice", True),
        ("   ", "fr", "crisis", True),  # erased text, unknown language or category: left out
        ("Hallo", "de", "crisis", True),
        ("Hello", "en", "spam", True),
    ])
    by_text = {ex.text: ex for ex in examples}
    assert set(by_text) == {OFFER, RETURNED, STOPPED}
    offer = by_text[OFFER]
    assert offer.labels == {"sourcing"} and offer.known == {"sourcing", "personal_data"}
    assert offer.knows("sourcing") and not offer.knows("crisis")
    assert by_text[RETURNED].labels == frozenset() and by_text[RETURNED].known == {"sourcing"}
    stopped = by_text[STOPPED]
    assert stopped.known == {"cold_turkey_advice", "cold_turkey_self"}
    abouts = {f.about for f in moderation.check(STOPPED, "fr") if f.category == "cold_turkey_advice"}
    assert stopped.labels == {"cold_turkey_self" if abouts == {"self"} else "cold_turkey_advice"}
    # The id follows the text: the same post judged again is the same post from one retrain to the next.
    again = retrain.label_examples([(OFFER, "fr", "sourcing", False)])
    assert again[0].id == offer.id and again[0].id.startswith("moderators-")


def _label(session: Session, text: str, category: str, confirmed: bool, lang: str = "fr") -> None:
    session.add(Label(post_id=None, decision_id=None, text=text, lang=lang, category=category, confirmed=confirmed,
                      source="rule"))


@pytest.mark.slow
def test_retrain_reports_then_switches_and_rolls_back(session: Session, settings: Settings, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not settings.is_sqlite:
        pytest.skip("training twice is slow; reading the labels does not depend on the database")
    for i in range(6):
        _label(session, f"{OFFER} ({i})", "sourcing", True)
        _label(session, f"{RETURNED} ({i})", "sourcing", False)
    _label(session, STOPPED, "cold_turkey_advice", True)
    session.commit()
    settings.data_dir = tmp_path / "var"
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    small = corpus.load()[::30]  # the mechanics, quickly: the shipped corpus is retrained in full by hand
    monkeypatch.setattr(corpus, "load", lambda paths=None: small)
    directory = settings.moderation_model_dir
    runner = CliRunner()
    try:
        dry = runner.invoke(cli_module.cli, ["moderation", "retrain", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert f"{len(small)} corpus posts and 13 posts judged by moderators" in dry.output
        assert "held-out writers" in dry.output and "sourcing" in dry.output and "unchanged" in dry.output
        assert not (directory / model.ACTIVE_NAME).exists()

        done = runner.invoke(cli_module.cli, ["moderation", "retrain"])
        assert done.exit_code == 0, done.output
        active = directory / model.ACTIVE_NAME
        assert active.exists() and model.active_file() == active
        assert "judged by moderators" in model.read_meta(active) and "held-out writers" in done.output
        with np.load(active, allow_pickle=False) as data:  # hashed weights only: no text of any post
            assert all("Temesta" not in str(data[name]) for name in data.files if data[name].dtype.kind == "U")
        assert "in use: " + str(active) in runner.invoke(cli_module.cli, ["moderation", "status"]).output

        back = runner.invoke(cli_module.cli, ["moderation", "retrain", "--rollback"])
        assert back.exit_code == 0, back.output
        assert not active.exists() and (directory / model.PREVIOUS_NAME).exists()
        assert model.active_file() == model.MODEL_FILE
        forward = runner.invoke(cli_module.cli, ["moderation", "retrain", "--rollback"])
        assert forward.exit_code == 0 and active.exists()
    finally:
        model.use_model_dir(None)


def test_rollback_with_nothing_retrained_says_so(settings: Settings, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings.data_dir = tmp_path / "empty"
    monkeypatch.setattr(cli_module, "get_settings", lambda: settings)
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    try:
        result = CliRunner().invoke(cli_module.cli, ["moderation", "retrain", "--rollback"])
        assert result.exit_code == 1 and "shipped model is already in use" in result.output
    finally:
        model.use_model_dir(None)
