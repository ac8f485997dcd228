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
VERSION = "features-3"  # bump when anything below changes: old model files are refused
_CACHE_LIMIT = 100_000
# Values are scaled by 1/sqrt(max(features, _SHRINK)): a one-line post ("Dag allemaal!")
# has a few dozen features and would otherwise weigh each of them as much as a
# long post weighs its strongest evidence. Short posts lean towards the prior.
_SHRINK = 100
_token_cache: dict[str, tuple[tuple[int, int], ...]] = {}
_bigram_cache: dict[tuple[str, str], tuple[int, int]] = {}
_name_cache: dict[str, tuple[int, int]] = {}
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
    tokens, n_sent = tokenize(plain, lang)
    cues = annotate(tokens, get_index(lang), lang)
    questions = question_sentences(plain, tokens)
    clauses = clause_starts(plain, tokens)
    quoted = quoted_tokens(plain, tokens)
    return Analysis(tokens, n_sent, cues, find(tokens, cues, n_sent, questions, clauses, quoted), questions)


@dataclass(frozen=True, slots=True)
class Vector:
    """Sparse feature vector: bucket, value and the sentence each feature came from (-1: the post).

    Buckets may repeat (a repeated word); they add up. Values are ±1 scaled by
    1/sqrt(number of features) (``scale_for``), so a long post does not score
    higher just for being long.
    """

    index: list[int]
    value: list[float]
    sentence: list[int]


def token_features(norm: str) -> tuple[tuple[int, int], ...]:
    """(bucket, sign) of a word's own features: the word and its letter n-grams (cached)."""
    return _token_features(norm)


def context_features(analysis: Analysis, lang: str) -> tuple[list[int], list[int], list[int]]:
    """Buckets, signs and sentences of every feature that is not a single word's own."""
    tokens = analysis.tokens
    idx: list[int] = []
    sign: list[int] = []
    sent: list[int] = []

    names = _name_cache

    def add(name: str, s_id: int) -> None:
        hashed = names.get(name)
        if hashed is None:
            hashed = names[name] = _hash(name)  # a bounded set: classes, pairs, frames
        idx.append(hashed[0])
        sign.append(hashed[1])
        sent.append(s_id)

    prev: Token | None = None
    cache = _bigram_cache
    for tok in tokens:
        if prev is not None and prev.sent == tok.sent:
            pair = (prev.norm, tok.norm)
            hashed = cache.get(pair)
            if hashed is None:
                hashed = _hash("b:" + prev.norm + " " + tok.norm)
                if len(cache) > _CACHE_LIMIT:
                    cache.clear()
                cache[pair] = hashed
            idx.append(hashed[0])
            sign.append(hashed[1])
            sent.append(tok.sent)
        prev = tok
    per_sentence: dict[int, set[str]] = {}
    for cue in analysis.cues:
        s_id = tokens[cue.first].sent
        add(("N:" if cue.negated else "C:") + cue.cls, s_id)
        if not cue.negated and cue.cls not in _NO_PAIRS:
            per_sentence.setdefault(s_id, set()).add(cue.cls)
    for s_id, classes in per_sentence.items():
        ordered = sorted(classes)
        for a in range(len(ordered)):
            for b in range(a + 1, len(ordered)):
                add("P:" + ordered[a] + "|" + ordered[b], s_id)
    for hit in analysis.hits:
        s_id = tokens[hit.first].sent
        add("F:" + hit.frame.id, s_id)
        if hit.weight >= 1.0:
            add("FW:" + hit.frame.id, s_id)
        if hit.about:
            add("A:" + hit.about, s_id)
    for s_id in analysis.questions:
        add("Q:", s_id)
    add("L:" + lang, -1)
    return idx, sign, sent


def vectorize(analysis: Analysis, lang: str) -> Vector:
    """The post's features as training sees them (the run time sums the same weights, see model.py)."""
    idx: list[int] = []
    sign: list[int] = []
    sent: list[int] = []
    for tok in analysis.tokens:
        for i, s in _token_features(tok.norm):
            idx.append(i)
            sign.append(s)
            sent.append(tok.sent)
    ci, cs, csent = context_features(analysis, lang)
    idx += ci
    sign += cs
    sent += csent
    scale = scale_for(len(idx))
    return Vector(idx, [s * scale for s in sign], sent)


def scale_for(n_features: int) -> float:
    return 1.0 / math.sqrt(max(n_features, _SHRINK))


def post_vector(text: str, lang: str) -> tuple[Vector, Analysis]:
    analysis = analyse(fold(text).plain, lang)
    return vectorize(analysis, lang), analysis
