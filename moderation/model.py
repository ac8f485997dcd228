"""The learned layer at run time: a linear model per label, read from plain arrays.

``moderation/data/model.npz`` is written by ``python -m moderation train``
(scikit-learn, training only) and read here with ``allow_pickle=False``: the
file holds numbers and label names, never code. It is loaded once per
process. Scoring a post is a sum of weights over its hashed features
(``features.py``) and a calibrated sigmoid, so the run time needs numpy only.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

import numpy as np

from moderation.features import (
    DIM,
    VERSION,
    Analysis,
    ContextKey,
    Vector,
    context_keys,
    key_hash,
    scale_for,
    token_features,
)

MODEL_FILE = Path(__file__).parent / "data" / "model.npz"


class ModelError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Scores:
    """Calibrated probability per label, and the sentence that weighs most for it."""

    probability: dict[str, float]
    sentence: dict[str, int]


_TOKEN_CACHE_LIMIT = 50_000
K = TypeVar("K")


@dataclass
class _WordCache:
    index: dict[str, int] = field(default_factory=dict)
    rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))


@dataclass
class _RowCache:
    """Signed weight rows of context features (word pairs, classes, frames) by key, kept
    together: a post gathers a few hundred rows from this small array instead of from the
    2^18-row weight matrix."""

    index: dict[ContextKey, int] = field(default_factory=dict)
    rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


def _cached_rows(index: dict[K, int], keys: Sequence[K], add: Callable[[K], int]) -> list[int]:
    """Each key's row in a cache, adding the missing ones; the cache is emptied between posts
    when it would grow past its bound (never in the middle of a post)."""
    if len(index) + len(keys) > _TOKEN_CACHE_LIMIT:
        index.clear()
    at = list(map(index.get, keys))
    if None in at:
        return [index[key] if key in index else add(key) for key in keys]
    return at  # type: ignore[return-value]  # no None left


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    weights: np.ndarray  # (DIM, n_labels) float32
    bias: np.ndarray  # (n_labels,)
    cal_a: np.ndarray  # Platt scaling: p = sigmoid(a * margin + b)
    cal_b: np.ndarray
    thresholds: np.ndarray  # a model finding at or above this probability; > 1: the label is off
    # A word's own features (the word and its letter n-grams) always weigh the
    # same: their summed weights are kept per word (a row of `_cache.rows`,
    # found through `_cache.index`), so a post costs one dict lookup per word
    # and one gather instead of a dozen hashes per word.
    _cache: _WordCache = field(default_factory=_WordCache, compare=False, repr=False)
    _context: _RowCache = field(default_factory=_RowCache, compare=False, repr=False)

    def threshold(self, label: str) -> float:
        return float(self.thresholds[self.labels.index(label)])

    def _add_word(self, norm: str) -> int:
        cache = self._cache
        n_labels = len(self.labels)
        if cache.rows.shape[1] != n_labels or len(cache.index) == 0:
            cache.rows = np.zeros((1024, n_labels), dtype=np.float32)
            cache.counts = np.zeros(1024, dtype=np.intp)
        at = len(cache.index)
        if at >= len(cache.rows):
            cache.rows = np.concatenate([cache.rows, np.zeros_like(cache.rows)])
            cache.counts = np.concatenate([cache.counts, np.zeros_like(cache.counts)])
        feats = token_features(norm)
        idx = np.fromiter((i for i, _ in feats), dtype=np.intp, count=len(feats))
        sign = np.fromiter((s for _, s in feats), dtype=np.float32, count=len(feats))
        cache.rows[at] = sign @ self.weights[idx]
        cache.counts[at] = len(feats)
        cache.index[norm] = at
        return at

    def _add_context(self, key: ContextKey) -> int:
        cache = self._context
        n_labels = len(self.labels)
        if cache.rows.shape[1] != n_labels or len(cache.index) == 0:
            cache.rows = np.zeros((1024, n_labels), dtype=np.float32)
        at = len(cache.index)
        if at >= len(cache.rows):
            cache.rows = np.concatenate([cache.rows, np.zeros_like(cache.rows)])
        bucket, sign = key_hash(key)
        cache.rows[at] = self.weights[bucket] * np.float32(sign)
        cache.index[key] = at
        return at

    def score(self, analysis: Analysis, lang: str) -> Scores:
        """Probabilities for a post; equal to ``score_vector(vectorize(...))``, computed faster."""
        tokens = analysis.tokens
        norms = analysis.norms or [tok.norm for tok in tokens]
        n_labels = len(self.labels)
        for cache in (self._cache, self._context):
            if not cache.index and cache.rows.shape[1] != n_labels:
                # No word or context row yet (a first post with no words, "[[["): empty rows of the right width.
                cache.rows = np.zeros((0, n_labels), dtype=np.float32)
        where = np.asarray(_cached_rows(self._cache.index, norms, self._add_word), dtype=np.intp)
        rows = self._cache.rows[where]
        count = int(self._cache.counts[where].sum())
        keys, sent = context_keys(analysis, lang)
        count += len(keys)
        at = _cached_rows(self._context.index, keys, self._add_context)
        other = self._context.rows[np.asarray(at, dtype=np.intp)]
        scale = scale_for(count)
        margins = (rows.sum(axis=0) + other.sum(axis=0)) * scale + self.bias
        tok_sent = np.asarray(analysis.sents or [t.sent for t in tokens], dtype=np.intp)
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
        calibrated = (self.cal_a * margins + self.cal_b).tolist()  # the same float32 arithmetic, at once
        thresholds = self.thresholds.tolist()
        for k, label in enumerate(self.labels):
            z = calibrated[k]
            probability[label] = 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0
            if probability[label] < thresholds[k] or n_sent == 0:
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
    """Write the model as plain arrays; atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        _savez(fh, model, meta)
    tmp.replace(path)


def _savez(fh: BinaryIO, model: Model, meta: str) -> None:
    np.savez_compressed(
        fh,
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


def read_meta(path: Path | None = None) -> str:
    with np.load(path or active_file(), allow_pickle=False) as data:
        return str(data["meta"])


# The host application may keep a retrained model outside the package
# (`forum moderation retrain` writes <dir>/model.npz and keeps the one before
# as <dir>/model.previous.npz). Without one there, the shipped model is used.
ACTIVE_NAME = "model.npz"
PREVIOUS_NAME = "model.previous.npz"
_RECHECK_SECONDS = 5.0


@dataclass
class _Active:
    directory: Path | None = None
    key: tuple[str, int, int] | None = None  # path, mtime, size of what `model` was read from
    model: Model | None = None
    checked: float = -math.inf


_active = _Active()
_lock = threading.Lock()


def use_model_dir(directory: Path | None) -> None:
    """Read the model from ``directory/model.npz`` when it exists (else the shipped one)."""
    with _lock:
        _active.directory = directory
        _active.checked = -math.inf


def active_file() -> Path:
    if _active.directory is not None:
        candidate = _active.directory / ACTIVE_NAME
        if candidate.exists():
            return candidate
    return MODEL_FILE


def get_model() -> Model | None:
    """The active model, read once per process and again only when its file changes.

    A retrain in another process replaces the file atomically; every process
    picks it up within a few seconds (one ``stat`` per few seconds, not per post).
    None when no model was trained yet.
    """
    now = time.monotonic()
    if now - _active.checked < _RECHECK_SECONDS:
        return _active.model
    with _lock:
        _active.checked = now
        path = active_file()
        try:
            st = path.stat()
        except FileNotFoundError:
            _active.key, _active.model = None, None
            return None
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key != _active.key:
            try:
                _active.model = read(path)
            except (ModelError, OSError, ValueError, KeyError):
                if path == MODEL_FILE:
                    raise
                # A broken or outdated retrained file: keep serving with the shipped model.
                logging.getLogger(__name__).exception("cannot read %s; using the shipped model", path)
                _active.model = read(MODEL_FILE) if MODEL_FILE.exists() else None
            _active.key = key
        return _active.model


def install(directory: Path, model: Model, *, meta: str) -> Path:
    """Make ``model`` the active one in ``directory``; the one it replaces is kept for ``rollback``.

    With no retrained model there yet, the one replaced is the shipped model:
    rolling back then returns to it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    active, previous = directory / ACTIVE_NAME, directory / PREVIOUS_NAME
    if active.exists():
        _copy_atomically(active, previous)
    else:
        previous.unlink(missing_ok=True)
    save(active, model, meta=meta)
    _forget()
    return active


def rollback(directory: Path) -> Path:
    """Swap the active model and the one before it (missing on either side: the shipped model).

    Rolling back twice returns to where one started. Raises ModelError when
    there is nothing to roll back to.
    """
    active, previous = directory / ACTIVE_NAME, directory / PREVIOUS_NAME
    if not active.exists() and not previous.exists():
        raise ModelError(f"no retrained model in {directory}: the shipped model is already in use")
    if previous.exists():
        read(previous)  # refuse to switch to a file this engine cannot read
    swap = directory / (ACTIVE_NAME + ".swap")
    if active.exists():
        active.replace(swap)
    if previous.exists():
        previous.replace(active)
    if swap.exists():
        swap.replace(previous)
    _forget()
    return active if active.exists() else MODEL_FILE


def _copy_atomically(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)


def _forget() -> None:
    """This process reads the active file again at its next check."""
    with _lock:
        _active.checked = -math.inf
