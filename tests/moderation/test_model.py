"""The learned layer: training, the plain-array model file, and its place beside the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import moderation
from moderation import corpus, model
from moderation.features import DIM, analyse, vectorize
from moderation.normalize import fold

# The small model below is trained once for the module (most of a minute of CPU): under xdist the
# module's tests stay together on one worker, or a second worker would train it again.
pytestmark = pytest.mark.xdist_group("moderation-model")


# Session scope: trained once per worker. A module-scoped fixture was trained twice in the full
# suite (its module's tests were not always run back to back), about 100 s of CI each time.
@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[model.Model, Path]:
    """A model trained on a couple of hundred shipped posts: enough to test the mechanics quickly.

    One post in 80 (about 230, each label on 14 or more: every head is learned, none switched off
    for lack of examples); one in 40 took twice the CPU (28 s of fitting) for the same mechanics."""
    from moderation import train

    examples = corpus.load()[::80]
    prepared = train.prepare(examples)
    fitted = train.fit(prepared, {label: 0.5 for label in train.HEADS})
    assert not (fitted.cal_b <= -50.0).any(), "a head was switched off: the tests below would score zeros"
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model.save(path, fitted, meta="test model")
    return fitted, path


def test_model_file_holds_plain_arrays_only(small_model: tuple[model.Model, Path]) -> None:
    fitted, path = small_model
    with np.load(path, allow_pickle=False) as data:  # would raise on any pickled object
        assert {"weights", "bias", "cal_a", "cal_b", "thresholds", "labels", "version", "meta"} <= set(data.files)
        assert data["weights"].shape == (DIM, len(fitted.labels))
    loaded = model.read(path)
    assert loaded.labels == fitted.labels and model.read_meta(path) == "test model"


def test_fast_scoring_equals_the_training_view(small_model: tuple[model.Model, Path]) -> None:
    loaded = model.read(small_model[1])
    for text, lang in [("Ce soir je prends toute la boîte.", "fr"), ("wie heeft er xanax over? pb", "nl"),
                       ("Just bin them tonight.\nYou'll be fine in a week.", "en")]:
        analysis = analyse(fold(text).plain, lang)
        fast = loaded.score(analysis, lang).probability
        slow = loaded.score_vector(vectorize(analysis, lang)).probability
        for label in loaded.labels:
            assert fast[label] == pytest.approx(slow[label], abs=1e-4)
            assert 0.0 <= fast[label] <= 1.0


def test_a_model_from_other_features_is_refused(small_model: tuple[model.Model, Path], tmp_path: Path) -> None:
    with np.load(small_model[1], allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["version"] = np.array("features-0")
    stale = tmp_path / "stale.npz"
    np.savez(stale, **arrays)
    with pytest.raises(model.ModelError):
        model.read(stale)


def test_the_shipped_model_is_current_and_loaded_once() -> None:
    shipped = model.get_model()
    assert shipped is not None, "run python -m moderation train"
    assert shipped is model.get_model()
    assert set(shipped.labels) == {"crisis", "sourcing", "cold_turkey_advice", "cold_turkey_self", "stigma"}
    assert "held-out writers" in model.read_meta()


def test_model_findings_carry_a_score_and_point_at_a_sentence() -> None:
    text = "Het weer is mooi. Ik heb alles geregeld voor na mij, de kat gaat naar mijn zus. Merci voor alles."
    for f in moderation.check(text, "nl"):
        assert text[f.start : f.end] == f.match
        if f.source == "model":
            assert f.rule == f"model.{f.category}" or f.rule == "model.cold_turkey_self"
            assert f.score is not None and 0 < f.score <= 1 and f.explanation
    assert any(f.category == "crisis" for f in moderation.check(text, "nl"))


def test_rules_alone_leave_the_model_out() -> None:
    text = "Het weer is mooi. Ik heb alles geregeld voor na mij, de kat gaat naar mijn zus. Merci voor alles."
    assert all(f.source == "rule" for f in moderation.check(text, "nl", use_model=False))


def test_a_label_without_enough_examples_is_switched_off() -> None:
    from moderation import train

    examples = [ex for ex in corpus.load() if "cold_turkey_self" not in ex.labels][:60]
    fitted = train.fit(train.prepare(examples))
    k = fitted.labels.index("cold_turkey_self")
    assert fitted.thresholds[k] > 1 and not fitted.weights[:, k].any()


def test_a_post_in_crisis_gets_no_word_on_tapering_from_the_model() -> None:
    text = "Ce soir je prends toute la boîte, merci pour tout"
    labels = {(f.category, f.about) for f in moderation.check(text, "fr")}
    assert ("crisis", "") in labels and ("cold_turkey_advice", "self") not in labels


def test_a_retrained_model_is_installed_kept_for_rollback_and_picked_up(
    small_model: tuple[model.Model, Path], tmp_path: Path
) -> None:
    fitted, _ = small_model
    directory = tmp_path / "retrained"
    shipped = model.get_model()
    try:
        model.use_model_dir(directory)
        assert model.get_model() is shipped and model.active_file() == model.MODEL_FILE
        with pytest.raises(model.ModelError):
            model.rollback(directory)  # nothing retrained yet

        first = model.install(directory, fitted, meta="first retrain")
        assert first == directory / model.ACTIVE_NAME and not (directory / model.PREVIOUS_NAME).exists()
        assert model.read_meta() == "first retrain" and model.get_model() is not shipped
        model.install(directory, fitted, meta="second retrain")
        assert model.read_meta() == "second retrain"
        assert model.read_meta(directory / model.PREVIOUS_NAME) == "first retrain"

        assert model.rollback(directory) == first and model.read_meta() == "first retrain"
        assert model.read_meta(directory / model.PREVIOUS_NAME) == "second retrain"
        model.rollback(directory)  # rolling back twice returns to where one started
        assert model.read_meta() == "second retrain"

        (directory / model.PREVIOUS_NAME).unlink()
        model.install(directory, fitted, meta="third")
        (directory / model.PREVIOUS_NAME).unlink()
        assert model.rollback(directory) == model.MODEL_FILE  # back to the shipped model
        assert model.get_model() is not None and "held-out writers" in model.read_meta()
    finally:
        model.use_model_dir(None)
    assert model.get_model() is not None


def test_an_unreadable_retrained_model_falls_back_to_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / model.ACTIVE_NAME).write_bytes(b"not a model")
    try:
        model.use_model_dir(tmp_path)
        found = moderation.check("Ik heb alles geregeld, de kat gaat naar mijn zus. Bedankt voor alles.", "nl")
        assert model.get_model() is not None
        assert isinstance(found, list)
    finally:
        model.use_model_dir(None)


def test_a_first_post_with_no_words_is_scored(small_model: tuple[model.Model, Path]) -> None:
    """The first post a process scores may hold no word at all ("[[["): empty rows, not a crash."""
    fresh = model.read(small_model[1])
    scores = fresh.score(analyse(fold("[[[").plain, "fr"), "fr")
    assert set(scores.probability) == set(fresh.labels)
    assert all(0.0 <= p <= 1.0 for p in scores.probability.values())
