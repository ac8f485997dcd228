"""What the learned layer sees of a post: hashed word, character and cue features.

One function serves training and run time, so the two can never drift apart.
Features are strings hashed with CRC-32 (stdlib, stable across processes and
machines, unlike ``hash()``) into ``2**BITS`` buckets, with a sign bit so
that colliding features tend to cancel rather than add up. The model file
holds weights per bucket only: no word of the training posts is in it.

Feature families:
  w:  the normalised word ("jveux" is "je" "veux")     b:  two words in a row
  c:  3- to 5-letter pieces of each word (typos, inflections, compounds)
  C:  cue classes present, N: negated ones               P:  two classes in one sentence
  F:  frames that fired (FW: at full weight), A: who a cold-turkey frame speaks to
  L:  the post's language
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

from moderation.cues import Cue, annotate, get_index
from moderation.frames import Hit, find
from moderation.normalize import fold
from moderation.tokens import Token, clause_starts, question_sentences, quoted_tokens, tokenize

BITS = 18
DIM = 1 << BITS
_MASK = DIM - 1
_SIGN = 1 << 31
VERSION = "features-1"  # bump when anything below changes: old model files are refused
_CACHE_LIMIT = 100_000
_token_cache: dict[str, tuple[tuple[int, int], ...]] = {}
# Grammar classes are everywhere; pairs with them say little.
_NO_PAIRS = frozenset({"NEG", "FIRST", "FIRST_POSS", "SECOND", "WE", "HERE", "IF", "PRON_OBJ", "NUM", "QTY"})


def _hash(feature: str) -> tuple[int, int]:
    h = zlib.crc32(feature.encode("utf-8"))
    return h & _MASK, (-1 if h & _SIGN else 1)


def _token_features(norm: str) -> tuple[tuple[int, int], ...]:
    cached = _token_cache.get(norm)
    if cached is not None:
        return cached
    feats = [_hash("w:" + norm)]
    if norm.isalpha():
        padded = f" {norm} "
        n = len(padded)
        for size in (3, 4, 5):
            feats.extend(_hash("c:" + padded[i : i + size]) for i in range(n - size + 1))
    result = tuple(feats)
    if len(_token_cache) > _CACHE_LIMIT:
        _token_cache.clear()
    _token_cache[norm] = result
    return result


@dataclass(frozen=True, slots=True)
class Analysis:
    """A post read once: tokens, cues and frames (the rules use them too)."""

    tokens: list[Token]
    n_sent: int
    cues: list[Cue]
    hits: list[Hit]
    questions: frozenset[int]


def analyse(plain: str, lang: str) -> Analysis:
    tokens, n_sent = tokenize(plain)
    cues = annotate(tokens, get_index(lang), lang)
    questions = question_sentences(plain, tokens)
    clauses = clause_starts(plain, tokens)
    quoted = quoted_tokens(plain, tokens)
    return Analysis(tokens, n_sent, cues, find(tokens, cues, n_sent, questions, clauses, quoted), questions)


@dataclass(frozen=True, slots=True)
class Vector:
    """Sparse feature vector (L2-normalised), with the sentence each feature came from (-1: the post)."""

    index: list[int]
    value: list[float]
    sentence: list[int]


def vectorize(analysis: Analysis, lang: str) -> Vector:
    tokens = analysis.tokens
    idx: list[int] = []
    sign: list[int] = []
    sent: list[int] = []
    prev: Token | None = None
    for tok in tokens:
        for i, s in _token_features(tok.norm):
            idx.append(i)
            sign.append(s)
            sent.append(tok.sent)
        if prev is not None and prev.sent == tok.sent:
            i, s = _hash("b:" + prev.norm + " " + tok.norm)
            idx.append(i)
            sign.append(s)
            sent.append(tok.sent)
        prev = tok
    per_sentence: dict[int, set[str]] = {}
    for cue in analysis.cues:
        s_id = tokens[cue.first].sent
        i, s = _hash(("N:" if cue.negated else "C:") + cue.cls)
        idx.append(i)
        sign.append(s)
        sent.append(s_id)
        if not cue.negated and cue.cls not in _NO_PAIRS:
            per_sentence.setdefault(s_id, set()).add(cue.cls)
    for s_id, classes in per_sentence.items():
        ordered = sorted(classes)
        for a in range(len(ordered)):
            for b in range(a + 1, len(ordered)):
                i, s = _hash("P:" + ordered[a] + "|" + ordered[b])
                idx.append(i)
                sign.append(s)
                sent.append(s_id)
    for hit in analysis.hits:
        s_id = tokens[hit.first].sent
        names = ["F:" + hit.frame.id]
        if hit.weight >= 1.0:
            names.append("FW:" + hit.frame.id)
        if hit.about:
            names.append("A:" + hit.about)
        for name in names:
            i, s = _hash(name)
            idx.append(i)
            sign.append(s)
            sent.append(s_id)
    for s_id in analysis.questions:
        i, s = _hash("Q:")
        idx.append(i)
        sign.append(s)
        sent.append(s_id)
    i, s = _hash("L:" + lang)
    idx.append(i)
    sign.append(s)
    sent.append(-1)
    # Binary features summed per bucket, then L2-normalised: a long post does
    # not score higher just for being long.
    merged: dict[int, float] = {}
    where: dict[int, int] = {}
    for i, s, s_id in zip(idx, sign, sent, strict=True):
        merged[i] = merged.get(i, 0.0) + s
        where.setdefault(i, s_id)
    norm = math.sqrt(sum(v * v for v in merged.values())) or 1.0
    keys = list(merged)
    return Vector(keys, [merged[k] / norm for k in keys], [where[k] for k in keys])


def post_vector(text: str, lang: str) -> tuple[Vector, Analysis]:
    analysis = analyse(fold(text).plain, lang)
    return vectorize(analysis, lang), analysis
