"""PostgreSQL full-text search, with a small planner fed by the vocabulary's document counts.

What a search finds is fixed (the same as SQLite's): each term matches its Snowball
stems in French, Dutch and English and every indexed word it begins; every term is
required; the newest `cap` matches are ranked with ts_rank_cd, then joined with the
live tables and filtered (see database.py). How PostgreSQL reaches those newest
matches quickly depends on how common the terms are, which the vocabulary tells:
`search_fts_terms` holds every lexeme of the index with the number of documents
holding it, kept exact by the statement that writes the documents.

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
each one's matches newest first. After the vocabulary's lookup and the probe, the whole
search, from these matches to the page of results, their total and the page's bodies (for
the snippets), is one statement.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import Text, literal_column, select, text
from sqlalchemy.orm import Session

from app.search import text as search_text
from app.search.backend import Document, Hit, SearchPage, SearchQuery, pages_for
from app.search.database import cap_for, empty_page, page_query

PG_CONFIGS = {"fr": "french", "nl": "dutch", "en": "english"}
BLOCK_SHIFTS = (12, 15, 18, 21)  # blocks of 2**shift post ids: the GIN index's first column (migration search0005)
BLOCK = 1 << BLOCK_SHIFTS[0]
# The index expression, written exactly as in the migration (the planner matches it by its text).
_BLOCKS = "ARRAY[" + ", ".join(f"({shift} << 24) | (post_id >> {shift})" for shift in BLOCK_SHIFTS) + "]"
MAX_EXPANSIONS = 64  # words a prefix may stand for in a GIN query; beyond, the prefix itself is searched
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

_EXACT = re.compile(r"'((?:[^'\\]|'')*)'")
_PREFIX = re.compile(r"'((?:[^'\\]|'')*)':\*")
_VECTOR = (
    "setweight(to_tsvector(cfg, unaccent(title)), 'A') || setweight(to_tsvector(cfg, unaccent(body)), 'B') || "
    "setweight(to_tsvector('simple', unaccent(title)), 'A') || setweight(to_tsvector('simple', unaccent(body)), 'B')"
)
# One statement writes the documents and the vocabulary's counts, from the vectors
# before and after (the `old` snapshot is taken before the statement's own changes).
# The vocabulary's rows are locked in lexeme order and writers take one lock first
# (see _write), so concurrent indexers queue instead of deadlocking on common words.
# Only constants of this module are joined into SQL; every value is a bind parameter.
_WRITE = (
    "WITH input AS (SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:cfgs AS regconfig[]), "  # noqa: S608  # nosec B608
    "CAST(:titles AS text[]), CAST(:bodies AS text[])) AS i(post_id, cfg, title, body)), "
    "new AS (SELECT post_id, body, " + _VECTOR + " AS tsv FROM input), "  # nosec B608
    "old AS (SELECT post_id, tsv FROM search_documents "
    "WHERE post_id = ANY(CAST(:ids AS integer[])) OR post_id = ANY(CAST(:gone AS integer[]))), "
    "saved AS (INSERT INTO search_documents (post_id, body, tsv) SELECT post_id, body, tsv FROM new "
    "ON CONFLICT (post_id) DO UPDATE SET body = EXCLUDED.body, tsv = EXCLUDED.tsv), "
    "removed AS (DELETE FROM search_documents WHERE post_id = ANY(CAST(:gone AS integer[]))), "
    "changes AS (SELECT lexeme, sum(n) AS n FROM ("
    "SELECT unnest(tsvector_to_array(tsv)) AS lexeme, 1 AS n FROM new "
    "UNION ALL SELECT unnest(tsvector_to_array(tsv)), -1 FROM old) AS c GROUP BY lexeme HAVING sum(n) <> 0) "
    # A lexeme's first document adds its row; a count never goes below zero.
    "INSERT INTO search_fts_terms AS v (term, documents) SELECT lexeme, n FROM changes "
    "WHERE n > 0 OR EXISTS (SELECT 1 FROM search_fts_terms AS t WHERE t.term = changes.lexeme) ORDER BY lexeme "
    "ON CONFLICT (term) DO UPDATE SET documents = GREATEST(v.documents + EXCLUDED.documents, 0)"
)
_WRITE_LOCK = 0x5EA4C4  # pg_advisory_xact_lock key: one vocabulary writer at a time


def quote(lexeme: str) -> str:
    """A lexeme as tsquery text (taken verbatim: no dictionary runs on a cast)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(quoted: str) -> str:
    return quoted.replace("''", "'")


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


def _union_estimate(counts: dict[str, int]) -> int:
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


@lru_cache(maxsize=4096)
def _cached_pieces(texts: tuple[str, ...]) -> tuple[str, ...]:
    """Stems and prefix as tsquery text, without repeats and without stems the prefix already covers.

    The ranking is unchanged by this (ts_rank_cd counts positions, and the dropped
    items only ever matched positions the remaining ones match); it is five times
    cheaper to compute with two items per term instead of four.
    """
    pieces = list(dict.fromkeys(piece for piece in texts if piece))
    prefixes = [_unquote(m.group(1)) for p in pieces if (m := _PREFIX.fullmatch(p))]
    return tuple(
        piece for piece in pieces
        if not ((m := _EXACT.fullmatch(piece)) and any(_unquote(m.group(1)).startswith(p) for p in prefixes))
    )


class PostgresFts:
    """tsvector per document: stemmed in the thread's language plus 'simple' for prefixes, unaccented."""

    name = "postgresql"

    # -- writing -------------------------------------------------------------------------

    def upsert(self, session: Session, documents: list[Document]) -> None:
        self._write(session, documents, [])

    def delete(self, session: Session, post_ids: list[int]) -> None:
        self._write(session, [], post_ids)

    @staticmethod
    def _write(session: Session, documents: list[Document], gone: list[int]) -> None:
        if not documents and not gone:
            return
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})
        session.execute(text(_WRITE), {
            "ids": [d.post_id for d in documents], "cfgs": [PG_CONFIGS.get(d.lang, "simple") for d in documents],
            "titles": [d.title for d in documents], "bodies": [d.body for d in documents], "gone": gone,
        })

    def indexed_ids(self, session: Session) -> set[int]:
        return set(session.scalars(text("SELECT post_id FROM search_documents")))

    def clear(self, session: Session) -> None:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})
        session.execute(text("DELETE FROM search_documents"))
        session.execute(text("UPDATE search_fts_terms SET documents = 0 WHERE documents <> 0"))

    # -- the query -----------------------------------------------------------------------

    _pieces: dict[str, tuple[str, ...]] = {}  # PostgreSQL's reading of a term never changes

    @classmethod
    def term_pieces(cls, session: Session, query_terms: list[str]) -> list[tuple[str, ...]]:
        """Each term as PostgreSQL parses it: its three stems and itself as a prefix (tsquery text)."""
        missing = [term for term in dict.fromkeys(query_terms) if term not in cls._pieces]
        if missing:
            columns, params = [], {}
            for index, term in enumerate(missing):
                params[f"t{index}"] = term
                columns += [f"plainto_tsquery('{cfg}', :t{index})::text" for cfg in ("french", "dutch", "english")]
                columns.append(f"to_tsquery('simple', quote_literal(:t{index}) || ':*')::text")
            row = session.execute(text("SELECT " + ", ".join(columns)), params).one()  # noqa: S608
            if len(cls._pieces) > 8192:
                cls._pieces.clear()
            for index, term in enumerate(missing):
                cls._pieces[term] = _cached_pieces(tuple(row[index * 4:(index + 1) * 4]))
        return [cls._pieces[term] for term in query_terms]

    @staticmethod
    def _lookup(session: Session, prefixes: list[str],
                exacts: list[str]) -> tuple[dict[str, list[Any]], dict[str, int], Corpus]:
        """In one statement: the first words of the vocabulary under each prefix, the exact lexemes'
        counts, and the index's first and last post ids and size.

        It also sets this transaction up for the search statement, which is planned with
        its own values (a plan cached for other terms and counts would not fit) and without
        parallel workers (the ranges of a "recent" plan must run in order).
        """
        parts, params = [], {"n": MAX_EXPANSIONS + 1, "exacts": exacts}
        for index, prefix in enumerate(prefixes):
            params[f"low{index}"], params[f"high{index}"] = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
            parts.append(f"SELECT {index} AS k, term, documents FROM (SELECT term, documents FROM search_fts_terms "  # noqa: S608  # nosec B608
                         f"WHERE term >= :low{index} AND term < :high{index} ORDER BY term LIMIT :n) AS p{index}")
        parts += [
            "SELECT -1 AS k, term, documents FROM search_fts_terms WHERE term = ANY(CAST(:exacts AS text[]))",
            "SELECT -2, set_config('plan_cache_mode', 'force_custom_plan', true) || "
            "set_config('max_parallel_workers_per_gather', '0', true), min(post_id) FROM search_documents",
            "SELECT -3, NULL, max(post_id) FROM search_documents",
            "SELECT -4, NULL, CAST(reltuples AS bigint) FROM pg_class WHERE oid = CAST('search_documents' AS regclass)",
        ]
        under: dict[str, list[Any]] = {prefix: [] for prefix in prefixes}
        counts: dict[str, int] = {}
        figures: dict[int, int] = {}
        for row in session.execute(text(" UNION ALL ".join(parts)), params):  # noqa: S608
            if row.k >= 0:
                under[prefixes[row.k]].append(row)
            elif row.k == -1:
                counts[row.term] = row.documents
            else:
                figures[row.k] = row.documents
        first_id, last_id = figures.get(-2) or 0, figures.get(-3) or 0
        documents = figures.get(-4) or 0  # -1 before the first ANALYZE
        corpus = Corpus(first_id, last_id, documents if documents > 0 else last_id - first_id + 1)
        return under, counts, corpus

    @staticmethod
    def _prefix_documents(session: Session, prefix: str) -> int:
        return int(session.scalar(
            text("SELECT sum(documents) FROM (SELECT documents FROM search_fts_terms "
                 "WHERE term >= :low AND term < :high LIMIT 10000) AS t"),
            {"low": prefix, "high": prefix[:-1] + chr(ord(prefix[-1]) + 1)}) or 0)

    def groups(self, session: Session, query_terms: list[str]) -> tuple[list[TermGroup], Corpus] | None:
        """The query's terms with the lexemes they stand for; None when the query can match no document."""
        all_pieces = [pieces for pieces in self.term_pieces(session, query_terms) if pieces]  # () = stopwords only
        if not all_pieces:
            return None
        prefixes = sorted({_unquote(m.group(1)) for ps in all_pieces for p in ps if (m := _PREFIX.fullmatch(p))})
        exacts = sorted({_unquote(m.group(1)) for ps in all_pieces for p in ps if (m := _EXACT.fullmatch(p))})
        under, counts, corpus = self._lookup(session, prefixes, exacts)
        if not corpus.last_id:
            return None
        groups = []
        for pieces in all_pieces:
            alternatives: dict[str, None] = {}
            listed: dict[str, int] = {}  # exact lexeme -> documents
            documents, exact = 0, True
            for piece in pieces:
                if (m := _PREFIX.fullmatch(piece)) and len(under[prefix := _unquote(m.group(1))]) <= MAX_EXPANSIONS:
                    listed.update((row.term, row.documents) for row in under[prefix])
                elif m:  # too many words begin with it: GIN reads them all (counted to choose the plan)
                    alternatives[piece] = None
                    documents, exact = documents + self._prefix_documents(session, prefix), False
                elif (m := _EXACT.fullmatch(piece)) and _unquote(m.group(1)) in counts:
                    listed[_unquote(m.group(1))] = counts[_unquote(m.group(1))]
                elif not m:  # a compound (a word the parser splits): kept as it is, taken as common
                    alternatives[piece] = None
                    documents, exact = documents + (1 << 40), False
                # else: an exact lexeme in no document matches nothing
            alternatives.update(dict.fromkeys(quote(lexeme) for lexeme in sorted(listed)))
            if not alternatives:
                return None
            groups.append(TermGroup(pieces=pieces, alternatives=tuple(alternatives), exact=exact,
                                    documents=documents + _union_estimate(listed)))
        return groups, corpus

    @staticmethod
    def _params(groups: list[TermGroup], plan: Plan, cap: int) -> dict[str, Any]:
        return {"match": " & ".join(g.match_text for g in groups), "rank": " & ".join(g.rank_text for g in groups),
                "rare": groups[plan.rare].match_text if plan.rare is not None else None, "cap": cap}

    def plan(self, session: Session, groups: list[TermGroup], corpus: Corpus, cap: int) -> Plan:
        """The plan for these terms: from the counts, and (unless a rare term is read first) the probe's count."""
        plan = choose_plan(groups, corpus, cap=cap)
        if plan.kind == "rare-first":
            return plan
        since = probe_start(groups, corpus)
        probe = "SELECT count(*) FROM search_documents WHERE tsv @@ CAST(:match AS tsquery)"
        params: dict[str, Any] = {"match": " & ".join(g.match_text for g in groups)}
        if since:
            probe += f" AND {_BLOCKS} && CAST(:blocks AS integer[])"
            params["blocks"] = block_keys(since, _top(corpus))
        matches = int(session.scalar(text(probe), params) or 0)
        return choose_plan(groups, corpus, cap=cap, sample=Sample(since, matches))

    def newest_matches(self, session: Session, groups: list[TermGroup], plan: Plan,
                       cap: int) -> list[tuple[int, float]]:
        """The newest `cap` matches with their rank (post id, ts_rank_cd), as the search finds them."""
        window, params = window_sql(plan)
        rows = session.execute(
            text(f"SELECT w.post_id, ts_rank_cd(w.tsv, CAST(:rank AS tsquery)) FROM ({window}) AS w"),  # noqa: S608  # nosec B608
            {**self._params(groups, plan, cap), **params})
        return [(row[0], row[1]) for row in rows]

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        query_terms = search_text.terms(query.text)
        found = self.groups(session, query_terms) if query_terms else None
        if found is None:
            if not query_terms:
                return SearchPage(items=[], page=query.page, pages=1, total=0)
            return empty_page(session, self, query)
        groups, corpus = found
        cap = cap_for(query)
        plan = self.plan(session, groups, corpus, cap)
        window, params = window_sql(plan)
        ranked = f"(SELECT w.post_id, -ts_rank_cd(w.tsv, CAST(:rank AS tsquery)) AS score FROM ({window}) AS w) AS h"  # noqa: S608  # nosec B608
        hits: Any = (
            select(literal_column("h.post_id").label("post_id"), literal_column("h.score").label("score"))
            .select_from(text(ranked))
            .subquery("hits")
        )
        # The page's bodies (for the snippets) in the same statement: a subquery in the select
        # list is evaluated after the sort and the limit, for the page's rows only.
        body = literal_column("(SELECT b.body FROM search_documents AS b WHERE b.post_id = forum_posts.id)", Text)
        statement = page_query(hits, query).add_columns(body.label("body"))
        rows = session.execute(statement, {**self._params(groups, plan, cap), **params}).all()
        if not rows:
            return empty_page(session, self, query)
        items = [
            Hit(thread_id=row.thread_id, post_id=row.id, title=row.title, lang=row.lang, category=row.slug,
                created_at=row.created_at, snippet_html=search_text.snippet(row.body or "", query_terms))
            for row in rows
        ]
        total = rows[0].total
        return SearchPage(items=items, page=query.page, pages=pages_for(total, query.page_size), total=total)
