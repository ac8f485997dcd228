"""The learned layer at run time: a linear model per label, read from plain arrays.

``moderation/data/model.npz`` is written by ``python -m moderation train``
(scikit-learn, training only) and read here with ``allow_pickle=False``: the
file holds numbers and label names, never code. It is loaded once per
process. Scoring a post is a sum of weights over its hashed features
(``features.py``) and a calibrated sigmoid, so the run time needs numpy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from moderation.features import DIM, VERSION, Analysis, Vector, context_features, scale_for, token_features

MODEL_FILE = Path(__file__).parent / "data" / "model.npz"


class ModelError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Scores:
    """Calibrated probability per label, and the sentence that weighs most for it."""

    probability: dict[str, float]
    sentence: dict[str, int]


_TOKEN_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    weights: np.ndarray  # (DIM, n_labels) float32
    bias: np.ndarray  # (n_labels,)
    cal_a: np.ndarray  # Platt scaling: p = sigmoid(a * margin + b)
    cal_b: np.ndarray
    thresholds: np.ndarray  # a model finding at or above this probability; > 1: the label is off
    # A word's own features (the word and its letter n-grams) always weigh the
    # same: their summed weights are kept per word, so a post costs one lookup
    # per word instead of a dozen hashes.
    _words: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict, compare=False, repr=False)

    def threshold(self, label: str) -> float:
        return float(self.thresholds[self.labels.index(label)])

    def _word(self, norm: str) -> tuple[np.ndarray, int]:
        hit = self._words.get(norm)
        if hit is None:
            feats = token_features(norm)
            idx = np.fromiter((i for i, _ in feats), dtype=np.intp, count=len(feats))
            sign = np.fromiter((s for _, s in feats), dtype=np.float32, count=len(feats))
            hit = (sign @ self.weights[idx], len(feats))
            if len(self._words) > _TOKEN_CACHE_LIMIT:
                self._words.clear()
            self._words[norm] = hit
        return hit

    def score(self, analysis: Analysis, lang: str) -> Scores:
        """Probabilities for a post; equal to ``score_vector(vectorize(...))``, computed faster."""
        n_labels = len(self.labels)
        tokens = analysis.tokens
        rows = np.zeros((len(tokens), n_labels), dtype=np.float32)
        count = 0
        for k, tok in enumerate(tokens):
            vec, n = self._word(tok.norm)
            rows[k] = vec
            count += n
        idx, sign, sent = context_features(analysis, lang)
        count += len(idx)
        other = self.weights[np.asarray(idx, dtype=np.intp)] * np.asarray(sign, dtype=np.float32)[:, None]
        scale = scale_for(count)
        margins = (rows.sum(axis=0) + other.sum(axis=0)) * scale + self.bias
        tok_sent = np.fromiter((t.sent for t in tokens), dtype=np.intp, count=len(tokens))
        other_sent = np.asarray(sent, dtype=np.intp)
        return self._scores(margins, [(tok_sent, rows), (other_sent, other)], analysis.n_sent)

    def score_vector(self, vector: Vector) -> Scores:
        idx = np.asarray(vector.index, dtype=np.intp)
        val = np.asarray(vector.value, dtype=np.float32)
        contrib = self.weights[idx] * val[:, None]
        margins = contrib.sum(axis=0) + self.bias
        sent = np.asarray(vector.sentence, dtype=np.intp)
        n_sent = int(sent.max()) + 1 if len(sent) else 0
        return self._scores(margins, [(sent, contrib)], n_sent)

    def _scores(self, margins: np.ndarray, pieces: list[tuple[np.ndarray, np.ndarray]], n_sent: int) -> Scores:
        probability: dict[str, float] = {}
        sentence: dict[str, int] = {}
        for k, label in enumerate(self.labels):
            z = float(self.cal_a[k] * margins[k] + self.cal_b[k])
            probability[label] = 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0
            if probability[label] < self.thresholds[k] or n_sent == 0:
                sentence[label] = -1
                continue
            # The sentence that weighs most towards the label: where a finding points.
            per_sentence = np.zeros(n_sent)
            for sent, contrib in pieces:
                keep = sent >= 0
                per_sentence += np.bincount(sent[keep], weights=contrib[keep, k], minlength=n_sent)[:n_sent]
            sentence[label] = int(per_sentence.argmax())
        return Scores(probability, sentence)


def save(path: Path, model: Model, *, meta: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        version=np.array(VERSION),
        labels=np.array(model.labels),
        weights=model.weights.astype(np.float16),
        bias=model.bias.astype(np.float32),
        cal_a=model.cal_a.astype(np.float32),
        cal_b=model.cal_b.astype(np.float32),
        thresholds=model.thresholds.astype(np.float32),
        meta=np.array(meta),
    )


def read(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as data:
        version = str(data["version"])
        if version != VERSION:
            raise ModelError(f"{path.name} was trained on {version}, this engine computes {VERSION}: retrain")
        weights = data["weights"].astype(np.float32)
        if weights.shape[0] != DIM:
            raise ModelError(f"{path.name}: {weights.shape[0]} feature buckets, expected {DIM}")
        return Model(
            labels=tuple(str(x) for x in data["labels"]),
            weights=weights,
            bias=data["bias"],
            cal_a=data["cal_a"],
            cal_b=data["cal_b"],
            thresholds=data["thresholds"],
        )


def read_meta(path: Path = MODEL_FILE) -> str:
    with np.load(path, allow_pickle=False) as data:
        return str(data["meta"])


@lru_cache(maxsize=1)
def get_model() -> Model | None:
    """The shipped model, loaded once per process; None when none was trained yet."""
    if not MODEL_FILE.exists():
        return None
    return read(MODEL_FILE)
