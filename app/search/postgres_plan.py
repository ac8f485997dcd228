"""How PostgreSQL full-text search reaches the newest matches: plans chosen from the vocabulary's counts.

Pure: no database here. postgres.py looks the counts up, runs the probe and the
search statement this module writes.

- "all": few matches expected. One GIN scan of the whole index; each term is given
  as the exact lexemes it covers, so GIN walks the rarest term's postings and skips
  through the others (a prefix would make it read every posting of every word with it).
- "rare-first": a term begins too many words to list them, but another term is rare.
  GIN finds the rare term's documents, and only those are re-checked against the rest.
- "recent": many matches expected. The GIN index also holds, for each document, the
  blocks of 4,096, 32,768, 262,144 and 2,097,152 post ids it belongs to, so a few
  block keys name any range of the newest posts, and GIN intersects the terms over
  that range only. The ranges are the branches of one UNION ALL under a LIMIT, which
  PostgreSQL runs in order and stops as soon as it has `cap` rows: an older range is
  only searched when the newer ones held too few. But the last range it searches is
  read whole (every match's row is fetched to sort them by post id), so a range much
  larger than needed costs a heap fetch per extra match: the ranges are sized from
  the measured density of matches, not from the counts alone.

The counts say how common each term is, not how often two terms meet: words of one
language, or of one topic, are found together ten to twenty-five times more often
than independent words would be ("angst familie": 305 matches expected, 7,791 found
in the bench corpus). So before a "recent" or "all" plan, one probe counts the
matches among the newest posts, a range sized from the counts to hold a few hundred
(`PROBE`): GIN alone answers a count (the heap is not read for pages that are all
visible), so the probe is cheap even when it finds many. The newest range is then
sized to hold a little more than `cap` at the measured density, a few short ranges
follow for the shortfall, then ranges twice as long as all newer ones down to the
first post (old words: "zolpidem" only in old posts).

Every plan returns exactly the newest `cap` matches: ranges are searched newest first,
each one's matches newest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

BLOCK_SHIFTS = (12, 15, 18, 21)  # blocks of 2**shift post ids: the GIN index's first column (migration search0005)
BLOCK = 1 << BLOCK_SHIFTS[0]
# The index expression, written exactly as in the migration (the planner matches it by its text).
_BLOCKS = "ARRAY[" + ", ".join(f"({shift} << 24) | (post_id >> {shift})" for shift in BLOCK_SHIFTS) + "]"
RARE = 2000  # documents: a term this rare is read first, and the others re-checked on its documents
# Without a probe (choose_plan's own estimate), the newest "recent" range is sized to hold
# this share of `cap` by the counts: less than all, since the counts err low for words of
# one language (found together more often than independent words would be).
FIRST_SHARE = 0.6
PROBE = 120  # matches the counts expect in the probe's range (newest posts, at least a block)
# With the probe's density: the newest range holds FIRST_MEASURED * cap, then STEPS ranges of
# STEP * cap each (density varies over time), then ranges as long as all newer ones.
FIRST_MEASURED = 1.15
STEP = 0.25
STEPS = 3


@dataclass(frozen=True)
class TermGroup:
    """One query term: what it matches, as PostgreSQL's own tsquery text, and how common it is."""

    pieces: tuple[str, ...]  # stems and the prefix, deduplicated: the ranking query
    alternatives: tuple[str, ...]  # the same matches for GIN: exact lexemes where a prefix could be listed
    exact: bool  # every alternative is one exact lexeme (GIN can skip through them)
    documents: int  # documents holding any alternative (estimated from the vocabulary's counts)

    @property
    def rank_text(self) -> str:
        return "(" + " | ".join(f"({piece})" for piece in self.pieces) + ")"

    @property
    def match_text(self) -> str:
        return "(" + " | ".join(self.alternatives) + ")"


@dataclass(frozen=True)
class Corpus:
    """What the planner knows of the index as a whole."""

    first_id: int
    last_id: int
    documents: int  # as of the last ANALYZE (autovacuum's)


@dataclass(frozen=True)
class Sample:
    """The probe's count: `matches` documents among the post ids [since, last_id]."""

    since: int
    matches: int


@dataclass(frozen=True)
class Plan:
    kind: Literal["all", "rare-first", "recent"]
    rare: int | None = None  # rare-first: the index of the group read first
    ranges: tuple[tuple[int, int], ...] = ()  # recent: post ids [since, until), newest first, down to 0


def _block_start(post_id: int) -> int:
    return max(0, post_id // BLOCK * BLOCK)


def block_keys(since: int, until: int) -> list[int]:
    """The fewest block keys whose blocks are exactly the post ids [since, until) (multiples of BLOCK)."""
    keys = []
    while since < until:
        shift = next(s for s in reversed(BLOCK_SHIFTS) if since % (1 << s) == 0 and since + (1 << s) <= until)
        keys.append((shift << 24) | (since >> shift))
        since += 1 << shift
    return keys


def _top(corpus: Corpus) -> int:
    """The end of the largest block holding the newest post: ranges up to it hold posts made meanwhile too."""
    return ((corpus.last_id >> BLOCK_SHIFTS[-1]) + 1) << BLOCK_SHIFTS[-1]


def recent_ranges(since: int, corpus: Corpus, *, step: int = 0, steps: int = 0) -> tuple[tuple[int, int], ...]:
    """From the newest range [since, ...) down to the first post: first `steps` ranges of
    `step` post ids (at least a block), then each range as long as all newer ones.

    The newest range ends with the largest block that holds the newest post, so posts
    made while the statement is planned are in it too.
    """
    ranges = [(since, _top(corpus))]
    covered = corpus.last_id + 1 - since
    while since > corpus.first_id:
        older = _block_start(since - max(step if len(ranges) <= steps else covered, 1))
        ranges.append((older, since))
        covered += since - older
        since = older
    return tuple(ranges)


def _expected(groups: list[TermGroup], corpus: Corpus) -> tuple[float, int]:
    """Matches expected by the counts, terms taken as independent; and the span of post ids."""
    span = max(1, corpus.last_id - corpus.first_id + 1)
    documents = min(max(corpus.documents, 1), span)
    expected = float(documents)
    for group in groups:
        expected *= min(group.documents, documents) / documents
    return expected, span


def probe_start(groups: list[TermGroup], corpus: Corpus) -> int:
    """Where the probe's range of the newest post ids starts: holding PROBE matches by the counts,
    at least a block of ids, at most every post (0)."""
    expected, span = _expected(groups, corpus)
    if expected <= 0:
        return 0
    since = _block_start(corpus.last_id + 1 - max(math.ceil(PROBE * span / expected), BLOCK))
    return since if since > corpus.first_id else 0


def choose_plan(groups: list[TermGroup], corpus: Corpus, *, cap: int, sample: Sample | None = None) -> Plan:
    """How to find the newest `cap` matches, from the terms' document counts and the probe's count.

    Without a sample, terms are taken as independent: the expected matches are the
    documents times the product of each term's share, spread evenly over the post ids
    (which have holes: hidden and deleted posts). With one, the matches are spread
    over the post ids at the density the probe measured among the newest. A wrong
    guess costs time, never results.
    """
    rarest = min(range(len(groups)), key=lambda i: groups[i].documents)
    if not all(group.exact for group in groups) and groups[rarest].documents <= RARE:
        return Plan("rare-first", rare=rarest)
    if sample is None:
        expected, span = _expected(groups, corpus)
        # The newest posts that should hold FIRST_SHARE * cap matches; all of them when that is every post.
        since = _block_start(corpus.last_id - math.ceil(FIRST_SHARE * cap * span / expected)) if expected > 0 else 0
        return Plan("recent", ranges=recent_ranges(since, corpus)) if since > corpus.first_id else Plan("all")
    if sample.since <= corpus.first_id and sample.matches <= cap:
        return Plan("all")  # every match counted, and no more than `cap`: the index gives them all at once
    density = max(sample.matches, 1) / max(1, corpus.last_id + 1 - sample.since)  # matches per post id
    since = _block_start(corpus.last_id + 1 - math.ceil(FIRST_MEASURED * cap / density))
    if since <= corpus.first_id:
        return Plan("all")
    return Plan("recent", ranges=recent_ranges(since, corpus, step=math.ceil(STEP * cap / density), steps=STEPS))


def window_sql(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The newest `:cap` matches of `:match` as (post_id, tsv), and the parameters it adds.

    "post_id + 0": the newest matches are sorted from what GIN found; without it the
    planner may walk the primary key backwards and test every post on the way.
    """
    if plan.kind == "rare-first":
        return ("SELECT post_id, tsv FROM (WITH rare AS MATERIALIZED (SELECT post_id, tsv FROM search_documents "
                "WHERE tsv @@ CAST(:rare AS tsquery)) SELECT post_id, tsv FROM rare "
                "WHERE tsv @@ CAST(:match AS tsquery) ORDER BY post_id DESC LIMIT :cap) AS r"), {}
    if plan.kind == "all":
        return ("SELECT post_id, tsv FROM search_documents WHERE tsv @@ CAST(:match AS tsquery) "
                "ORDER BY post_id + 0 DESC LIMIT :cap"), {}
    branches, params = [], {}
    for index, (since, until) in enumerate(plan.ranges):
        params[f"blocks{index}"] = block_keys(since, until)
        branches.append(f"(SELECT post_id, tsv FROM search_documents WHERE tsv @@ CAST(:match AS tsquery) "  # noqa: S608  # nosec B608
                        f"AND {_BLOCKS} && CAST(:blocks{index} AS integer[]) ORDER BY post_id + 0 DESC LIMIT :cap)")
    # No ORDER BY around the branches: it would run them all. Append runs them in order
    # (parallel plans, which could interleave them, are off for this transaction: see _lookup).
    return "SELECT post_id, tsv FROM (" + " UNION ALL ".join(branches) + ") AS r LIMIT :cap", params  # noqa: S608  # nosec B608




def probe_sql(groups: list[TermGroup], corpus: Corpus) -> tuple[int, str, dict[str, Any]]:
    """The probe: where its range starts (0: every post), and the statement counting the matches there."""
    since = probe_start(groups, corpus)
    probe = "SELECT count(*) FROM search_documents WHERE tsv @@ CAST(:match AS tsquery)"
    params: dict[str, Any] = {"match": " & ".join(g.match_text for g in groups)}
    if since:
        probe += f" AND {_BLOCKS} && CAST(:blocks AS integer[])"
        params["blocks"] = block_keys(since, _top(corpus))
    return since, probe, params


def union_estimate(counts: dict[str, int]) -> int:
    """Documents holding any of these lexemes, estimated: a stem and the words it was cut from
    ("angoiss", "angoisse", "angoisses") are mostly in the same documents, so a lexeme and those
    extending it count as the most common of them (not the shortest: the English stem "famili"
    of "family" is in 6,185 documents of the bench corpus, the Dutch word "familie" in 46,464);
    other words are taken as found in different documents."""
    total, root, most = 0, None, 0
    for lexeme in sorted(counts):  # sorted: a lexeme comes right after the ones it extends
        if root is not None and lexeme.startswith(root):
            most = max(most, counts[lexeme])
            continue
        total, root, most = total + most, lexeme, counts[lexeme]
    return total + most
