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
from dataclasses import dataclass, field

from moderation.cues import Cue, annotate, get_index
from moderation.frames import Hit, find
from moderation.normalize import fold
from moderation.tokens import Token, clause_marks, question_sentences, quoted_tokens, tokenize_words

BITS = 18
DIM = 1 << BITS
_MASK = DIM - 1
_SIGN = 1 << 31
VERSION = "features-23"  # bump when anything below (or the cues and frames) changes: old model files are refused
_CACHE_LIMIT = 100_000
# Values are scaled by 1/sqrt(max(features, _SHRINK)): a one-line post ("Dag allemaal!")
# has a few dozen features and would otherwise weigh each of them as much as a
# long post weighs its strongest evidence. Short posts lean towards the prior.
_SHRINK = 100
# Longer "words" ("aaaa…" typed for 20,000 characters) get no letter pieces: thousands of the same
# piece would outweigh everything else in the post.
_LONGEST_WORD = 40
_token_cache: dict[str, tuple[tuple[int, int], ...]] = {}
_context_cache: dict[object, tuple[int, int]] = {}
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
    if norm.isalpha() and len(norm) <= _LONGEST_WORD:
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
    norms: list[str] = field(default_factory=list)  # tokens[k].norm, tokens[k].sent, read once
    sents: list[int] = field(default_factory=list)
    words: list[tuple[int, str]] | None = None  # written words (two letters or more) and their starts


def analyse(plain: str, lang: str) -> Analysis:
    tokens, n_sent, words = tokenize_words(plain, lang)
    if tokens:
        # One transposition instead of a pass per field.
        norms_t, starts_t, _, sents_t = zip(*tokens, strict=True)
        norms, starts, sents = list(norms_t), list(starts_t), list(sents_t)
    else:
        norms, starts, sents = [], [], []
    clauses, commas = clause_marks(plain, tokens, starts, sents)
    cues = annotate(tokens, get_index(lang), lang, norms, sents, commas)
    questions = question_sentences(plain, tokens, starts)
    quoted = quoted_tokens(plain, tokens, starts)
    hits = find(tokens, cues, n_sent, questions, clauses, quoted)
    return Analysis(tokens, n_sent, cues, hits, questions, norms, sents, words)


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


# A context feature's key: a word pair (a, b), a cue class (cls, negated), or the feature's name.
ContextKey = tuple[str, str] | tuple[str, bool] | str


def key_name(key: ContextKey) -> str:
    """The feature string a context key stands for (what is hashed)."""
    if isinstance(key, str):
        return key
    first, second = key
    if isinstance(second, bool):
        return ("N:" if second else "C:") + first
    return "b:" + first + " " + second


_pair_cache: dict[frozenset[str], tuple[str, ...]] = {}


def _pair_keys(classes: frozenset[str]) -> tuple[str, ...]:
    """ "P:A|B" for every two classes of a sentence, in sorted order (cached by class set: a sentence's
    classes recur from post to post, and a few hundred string joins per post add up)."""
    pairs = _pair_cache.get(classes)
    if pairs is None:
        ordered = sorted(classes)
        pairs = tuple("P:" + ordered[a] + "|" + ordered[b]
                      for a in range(len(ordered)) for b in range(a + 1, len(ordered)))
        if len(_pair_cache) > _CACHE_LIMIT:
            _pair_cache.clear()  # bounded memory on a long-running worker
        _pair_cache[classes] = pairs
    return pairs


def context_keys(analysis: Analysis, lang: str) -> tuple[list[ContextKey], list[int]]:
    """Every feature that is not a single word's own, as keys, with the sentence each came from (-1: the post)."""
    tokens = analysis.tokens
    norms = analysis.norms or [tok.norm for tok in tokens]
    sents = analysis.sents or [tok.sent for tok in tokens]
    # Two words in a row within a sentence (comprehensions over zips, no indexing: this runs for
    # every word of every post).
    following = sents[1:]
    keys: list[ContextKey] = [(a, b) for a, b, s_id, nxt in zip(norms, norms[1:], sents, following, strict=False)
                              if s_id == nxt]
    sent: list[int] = [s_id for s_id, nxt in zip(sents, following, strict=False) if s_id == nxt]
    add_key, add_sent = keys.append, sent.append
    per_sentence: dict[int, set[str]] = {}
    for cls, first, _, negated in analysis.cues:
        s_id = sents[first]
        add_key((cls, negated))
        add_sent(s_id)
        if not negated and cls not in _NO_PAIRS:
            per_sentence.setdefault(s_id, set()).add(cls)
    for s_id, classes in per_sentence.items():
        class_pairs = _pair_keys(frozenset(classes))
        keys.extend(class_pairs)
        sent.extend([s_id] * len(class_pairs))
    for hit in analysis.hits:
        s_id = sents[hit.first]
        add_key("F:" + hit.frame.id)
        add_sent(s_id)
        if hit.weight >= 1.0:
            add_key("FW:" + hit.frame.id)
            add_sent(s_id)
        if hit.about:
            add_key("A:" + hit.about)
            add_sent(s_id)
    for s_id in analysis.questions:
        add_key("Q:")
        add_sent(s_id)
    add_key("L:" + lang)
    add_sent(-1)
    return keys, sent


def key_hash(key: ContextKey) -> tuple[int, int]:
    """(bucket, sign) of a context feature (cached; word pairs, classes and frames recur)."""
    hashed = _context_cache.get(key)
    if hashed is None:
        if len(_context_cache) > _CACHE_LIMIT:
            _context_cache.clear()  # bounded memory on a long-running worker
        hashed = _context_cache[key] = _hash(key_name(key))
    return hashed


def context_features(analysis: Analysis, lang: str) -> tuple[list[int], list[int], list[int]]:
    """Buckets, signs and sentences of every feature that is not a single word's own."""
    keys, sent = context_keys(analysis, lang)
    hashed = [key_hash(key) for key in keys]
    return [h[0] for h in hashed], [h[1] for h in hashed], sent


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
