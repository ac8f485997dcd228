"""PostgreSQL full-text search, with a small planner fed by the vocabulary's document counts.

What a search finds is fixed (the same as SQLite's): each term matches its Snowball
stems in French, Dutch and English and every indexed word it begins; every term is
required; the newest `cap` matches are ranked with ts_rank_cd, then joined with the
live tables and filtered (see database.py). How PostgreSQL reaches those newest
matches quickly depends on how common the terms are, which the vocabulary tells:
`search_fts_terms` holds every lexeme of the index with the number of documents
holding it, kept exact by the statement that writes the documents.

The plans ("all", "rare-first", "recent") and the probe that sizes them are in
postgres_plan.py. After the vocabulary's lookup and the probe, the whole search, from
these matches to the page of results, their total and the page's bodies (for the
snippets), is one statement.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, TextClause, literal_column, select, text
from sqlalchemy.orm import Session

from app.search import text as search_text
from app.search.backend import Document, Hit, SearchPage, SearchQuery, pages_for
from app.search.database import cap_for, empty_page, page_query
from app.search.postgres_plan import (
    Corpus,
    Plan,
    Sample,
    TermGroup,
    choose_plan,
    probe_sql,
    union_estimate,
    window_sql,
)

PG_CONFIGS = {"fr": "french", "nl": "dutch", "en": "english"}
MAX_EXPANSIONS = 64  # words a prefix may stand for in a GIN query; beyond, the prefix itself is searched

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
_LOCK_STATEMENT, _WRITE_STATEMENT = text("SELECT pg_advisory_xact_lock(:key)"), text(_WRITE)


@lru_cache(maxsize=512)
def _sql(statement: str) -> TextClause:
    """A statement's TextClause, made once: the query's few shapes come back with every search
    (TextClause parses its bind parameters each time it is made)."""
    return text(statement)


def quote(lexeme: str) -> str:
    """A lexeme as tsquery text (taken verbatim: no dictionary runs on a cast)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(quoted: str) -> str:
    return quoted.replace("''", "'")


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


def _build_page_statement(window: str, query: SearchQuery) -> Any:
    """The search statement: the window's matches ranked, joined with the live tables, filtered, the page cut."""
    ranked = f"(SELECT w.post_id, -ts_rank_cd(w.tsv, CAST(:rank AS tsquery)) AS score FROM ({window}) AS w) AS h"  # noqa: S608  # nosec B608
    hits: Any = (
        select(literal_column("h.post_id").label("post_id"), literal_column("h.score").label("score"))
        .select_from(text(ranked))
        .subquery("hits")
    )
    # The page's bodies (for the snippets) in the same statement: a subquery in the select
    # list is evaluated after the sort and the limit, for the page's rows only.
    body = literal_column("(SELECT b.body FROM search_documents AS b WHERE b.post_id = forum_posts.id)", Text)
    return page_query(hits, query).add_columns(body.label("body"))


@lru_cache(maxsize=256)
def _unfiltered_page_statement(window: str, members_visible: bool, page: int, page_size: int) -> Any:
    return _build_page_statement(window, SearchQuery(text="", members_visible=members_visible, page=page,
                                                     page_size=page_size))


def _page_statement(window: str, query: SearchQuery) -> Any:
    """The search statement, built once per shape of plan and page when no filter holds a value (most
    searches): building it walks SQLAlchemy's constructs for a millisecond and more each time."""
    if query.lang or query.category or query.date_from or query.date_to:
        return _build_page_statement(window, query)
    return _unfiltered_page_statement(window, query.members_visible, query.page, query.page_size)


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
        # Built once and run on the connection: the indexer writes after every post.
        connection = session.connection()
        connection.execute(_LOCK_STATEMENT, {"key": _WRITE_LOCK})
        connection.execute(_WRITE_STATEMENT, {
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
            row = session.connection().execute(_sql("SELECT " + ", ".join(columns)), params).one()  # noqa: S608
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
        for row in session.connection().execute(_sql(" UNION ALL ".join(parts)), params):  # noqa: S608
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
                                    documents=documents + union_estimate(listed)))
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
        since, probe, params = probe_sql(groups, corpus)
        matches = int(session.connection().scalar(_sql(probe), params) or 0)
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
        statement = _page_statement(window, query)
        rows = session.connection().execute(statement, {**self._params(groups, plan, cap), **params}).all()
        if not rows:
            return empty_page(session, self, query)
        items = [
            Hit(thread_id=row.thread_id, post_id=row.id, title=row.title, lang=row.lang, category=row.slug,
                created_at=row.created_at, snippet_html=search_text.snippet(row.body or "", query_terms))
            for row in rows
        ]
        total = rows[0].total
        return SearchPage(items=items, page=query.page, pages=pages_for(total, query.page_size), total=total)
