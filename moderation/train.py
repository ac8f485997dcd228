"""`python -m moderation train`: fit the learned layer on the labelled corpus.

Needs the training extra (scikit-learn); the run-time check never imports
this module. Steps:

1. read every ``moderation/data/*.jsonl`` post and split it by a hash of its
   id: four in five for training, one in five held back (dev);
2. for each label, fit a logistic regression on the hashed features
   (``features.py``) of the training posts, and calibrate its margins with
   Platt scaling fitted on 5-fold out-of-fold margins (so the probabilities
   are not the model's view of posts it has already seen);
3. on the dev posts, choose each label's threshold for a model finding,
   knowing the rules already catch some posts: recall first for crisis and
   sourcing (F2), balanced for the others (F1). A label whose model adds
   nothing on dev is switched off (threshold above 1);
4. print dev precision/recall per label and language (rules alone, model
   alone, both), then refit on every post (train + dev) with the same
   settings and thresholds, and write ``moderation/data/model.npz``.

Dev scores are optimistic by the threshold choice made on the same posts:
they are dev scores, not blind scores (see EVALUATION.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from moderation import corpus
from moderation.corpus import LABELS, Example, finding_label
from moderation.engine import get_engine
from moderation.features import DIM, analyse, vectorize
from moderation.model import MODEL_FILE, Model, save
from moderation.normalize import fold
from moderation.types import LANGUAGES

# The learned layer raises recall where the rules are weak. Personal data is
# structured (numbers, addresses) and left to its checksummed rules.
HEADS: tuple[str, ...] = ("crisis", "sourcing", "cold_turkey_advice", "cold_turkey_self", "stigma")
BETA = {"crisis": 2.0, "sourcing": 2.0, "cold_turkey_advice": 1.0, "cold_turkey_self": 1.0, "stigma": 1.0}
C = 32.0  # inverse regularisation, chosen by leave-one-writer-out cross-validation on the training split
OFF = 2.0  # threshold of a label the model does not help with
MIN_POSITIVES = 10  # fewer posts with (or without) a label than this: no model for it


@dataclass
class Prepared:
    examples: list[Example]
    x: sparse.csr_matrix
    rules: list[set[str]]  # labels the rules find, per post


def prepare(examples: list[Example]) -> Prepared:
    engine = get_engine()
    rows, cols, vals = [], [], []
    rules: list[set[str]] = []
    for r, ex in enumerate(examples):
        analysis = analyse(fold(ex.text).plain, ex.lang)
        vec = vectorize(analysis, ex.lang)
        rows.extend([r] * len(vec.index))
        cols.extend(vec.index)
        vals.extend(vec.value)
        found = engine.check(ex.text, ex.lang, use_model=False)
        rules.append({finding_label(f.category, f.about) for f in found})
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(examples), DIM), dtype=np.float64)
    return Prepared(examples, x, rules)


def _fit(x: sparse.csr_matrix, y: np.ndarray) -> LogisticRegression:
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)
    clf.fit(x, y)
    return clf


def _platt(margins: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    cal = LogisticRegression(C=1e4, solver="lbfgs")
    cal.fit(margins.reshape(-1, 1), y)
    return float(cal.coef_[0, 0]), float(cal.intercept_[0])


def fit_label(x: sparse.csr_matrix, y: np.ndarray, seed: int = 7) -> tuple[np.ndarray, float, float, float]:
    """Weights, bias and Platt parameters for one label."""
    out_of_fold = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for tr, te in folds.split(np.zeros(len(y)), y):
        out_of_fold[te] = _fit(x[tr], y[tr]).decision_function(x[te])
    a, b = _platt(out_of_fold, y)
    clf = _fit(x, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), a, b


def fit(prepared: Prepared, thresholds: dict[str, float] | None = None) -> Model:
    n = len(HEADS)
    weights = np.zeros((DIM, n), dtype=np.float32)
    bias, cal_a, cal_b = np.zeros(n), np.zeros(n), np.zeros(n)
    chosen = np.array([(thresholds or {}).get(label, OFF) for label in HEADS])
    for k, label in enumerate(HEADS):
        y = np.array([label in ex.labels for ex in prepared.examples], dtype=int)
        if min(int(y.sum()), int(len(y) - y.sum())) < MIN_POSITIVES:
            print(f"{label}: too few labelled posts to learn from, switched off", file=sys.stderr)
            bias[k], cal_a[k], cal_b[k], chosen[k] = 0.0, 1.0, -50.0, OFF
            continue
        weights[:, k], bias[k], cal_a[k], cal_b[k] = fit_label(prepared.x, y)
    return Model(HEADS, weights, bias, cal_a, cal_b, chosen)


def probabilities(model: Model, x: sparse.csr_matrix) -> np.ndarray:
    margins = x @ model.weights.astype(np.float64) + model.bias
    z = margins * model.cal_a + model.cal_b
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _f(tp: int, fp: int, fn: int, beta: float) -> float:
    if tp == 0:
        return 0.0
    p, r = tp / (tp + fp), tp / (tp + fn)
    return (1 + beta * beta) * p * r / (beta * beta * p + r)


def choose_thresholds(model: Model, dev: Prepared) -> dict[str, float]:
    probs = probabilities(model, dev.x)
    chosen: dict[str, float] = {}
    for k, label in enumerate(HEADS):
        truth = np.array([label in ex.labels for ex in dev.examples])
        ruled = np.array([label in found for found in dev.rules])
        best_t, best_f = OFF, _f(int((truth & ruled).sum()), int((~truth & ruled).sum()),
                                 int((truth & ~ruled).sum()), BETA[label])
        for t in np.arange(0.05, 0.96, 0.01):
            pred = ruled | (probs[:, k] >= t)
            f = _f(int((truth & pred).sum()), int((~truth & pred).sum()), int((truth & ~pred).sum()), BETA[label])
            if f > best_f + 1e-9:
                best_t, best_f = float(round(t, 2)), f
        chosen[label] = best_t
    return chosen


def report(model: Model, dev: Prepared, out: list[str]) -> None:
    probs = probabilities(model, dev.x)
    header = f"{'label':<20}{'lang':<6}{'n':>5}  {'rules P/R':>11}  {'model P/R':>11}  {'both P/R':>11}"
    out.append(header)
    for k, label in enumerate(LABELS):
        for lang in (*LANGUAGES, "all"):
            keep = [i for i, ex in enumerate(dev.examples) if lang in ("all", ex.lang)]
            truth = np.array([label in dev.examples[i].labels for i in keep])
            if not truth.any():
                continue
            ruled = np.array([label in dev.rules[i] for i in keep])
            if label in HEADS:
                j = HEADS.index(label)
                modeled = probs[keep, j] >= model.thresholds[j]
            else:
                modeled = np.zeros(len(keep), dtype=bool)
            cells = []
            for pred in (ruled, modeled, ruled | modeled):
                tp, fp, fn = int((truth & pred).sum()), int((~truth & pred).sum()), int((truth & ~pred).sum())
                p = tp / (tp + fp) if tp + fp else 1.0
                cells.append(f"{p:.2f}/{tp / (tp + fn):.2f}")
            out.append(f"{label:<20}{lang:<6}{int(truth.sum()):>5}  {cells[0]:>11}  {cells[1]:>11}  {cells[2]:>11}")
        _ = k


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation train")
    parser.add_argument("--data", type=Path, nargs="*", help="JSONL corpus files (default: moderation/data/*.jsonl)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    parser.add_argument("--dev-only", action="store_true", help="report dev scores, write nothing")
    args = parser.parse_args(argv)
    examples = corpus.load(args.data)
    train = [ex for ex in examples if ex.split == "train"]
    dev = [ex for ex in examples if ex.split == "dev"]
    if not train or not dev:
        print("need labelled posts in both splits", file=sys.stderr)
        return 1
    print(f"{len(examples)} posts: {len(train)} train, {len(dev)} dev", file=sys.stderr)
    p_train, p_dev = prepare(train), prepare(dev)
    model = fit(p_train)
    thresholds = choose_thresholds(model, p_dev)
    model = Model(model.labels, model.weights, model.bias, model.cal_a, model.cal_b,
                  np.array([thresholds[label] for label in HEADS]))
    lines = [f"dev split ({len(dev)} posts; thresholds chosen on it: " +
             ", ".join(f"{k} {v:.2f}" if v <= 1 else f"{k} off" for k, v in thresholds.items()) + ")"]
    report(model, p_dev, lines)
    print("\n".join(lines))
    if args.dev_only:
        return 0
    final = fit(prepare(examples), thresholds)
    meta = (f"trained {dt.date.today().isoformat()} on {len(examples)} posts "
            f"({len(train)} train + {len(dev)} dev); C={C}; " + "\n".join(lines))
    save(args.out, final, meta=meta)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
