"""The PostgreSQL search planner: its choices, and that every plan finds exactly what the plain query finds.

The reference is the query PostgreSQL search ran before the planner: every term
as its three stems or a prefix, the newest `cap` matches by post id, ranked with
ts_rank_cd. Each plan must return the same posts with the same ranks.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.search import text as search_text
from app.search.backend import Document, SearchQuery
from app.search.postgres import PostgresFts, _cached_pieces, quote
from app.search.postgres_plan import (
    BLOCK,
    FIRST_MEASURED,
    PROBE,
    STEP,
    STEPS,
    Corpus,
    Plan,
    Sample,
    TermGroup,
    block_keys,
    choose_plan,
    probe_start,
    recent_ranges,
    union_estimate,
    window_sql,
)
from tests.factories import make_category, make_thread, make_user


def _group(documents: int, *, exact: bool = True) -> TermGroup:
    return TermGroup(pieces=("'x':*",), alternatives=("'x'",), exact=exact, documents=documents)


MILLION = Corpus(first_id=1, last_id=1_000_000, documents=1_000_000)


def test_two_common_terms_search_the_newest_posts_first() -> None:
    plan = choose_plan([_group(100_000), _group(100_000)], MILLION, cap=1000)
    # 10,000 matches expected (1 % of the posts): 600 of them (FIRST_SHARE) in the newest 60,000 posts.
    since = (1_000_000 - 60_000) // BLOCK * BLOCK
    assert plan.kind == "recent" and plan.ranges[0] == (since, 1 << 21)
    # Then older ranges, each as long as all newer ones together, down to the first post.
    assert plan.ranges[1] == ((since - (1_000_001 - since)) // BLOCK * BLOCK, since)
    assert all(older[1] == newer[0] for newer, older in itertools.pairwise(plan.ranges))
    assert plan.ranges[-1][0] == 0 and len(plan.ranges) <= 6


def test_few_expected_matches_search_the_whole_index() -> None:
    assert choose_plan([_group(30), _group(900_000)], MILLION, cap=1000) == Plan("all")
    # Many matches, but a range holding enough of them would be every post anyway.
    assert choose_plan([_group(2_500), _group(2_500)], Corpus(1, 3_000, 3_000), cap=1000) == Plan("all")


def test_holes_in_post_ids_widen_the_range() -> None:
    # Half the ids are holes (hidden, deleted posts): the same matches spread over twice the ids.
    dense = choose_plan([_group(50_000), _group(50_000)], Corpus(1, 500_000, 500_000), cap=100)
    holes = choose_plan([_group(50_000), _group(50_000)], Corpus(1, 1_000_000, 500_000), cap=100)
    newest = {plan: plan.ranges[0][0] for plan in (dense, holes)}
    assert 1_000_000 - newest[holes] == pytest.approx(2 * (500_000 - newest[dense]), abs=2 * BLOCK)


def test_a_rare_term_is_read_first_when_another_cannot_be_listed() -> None:
    assert choose_plan([_group(500_000, exact=False), _group(40)], MILLION, cap=1000) == Plan("rare-first", rare=1)
    # Nothing rare: the prefix stays in the GIN query.
    assert choose_plan([_group(500_000, exact=False), _group(400_000)], MILLION, cap=1000).kind == "recent"


def test_the_probe_counts_the_newest_posts_that_should_hold_a_few_hundred_matches() -> None:
    # 10,000 matches expected: PROBE of them in the newest PROBE / 1 % posts.
    since = probe_start([_group(100_000), _group(100_000)], MILLION)
    assert since == (1_000_001 - PROBE * 100) // BLOCK * BLOCK
    # Very common terms: still a whole block at least; rare ones: every post.
    assert 1_000_001 - probe_start([_group(900_000), _group(900_000)], MILLION) >= BLOCK
    assert probe_start([_group(300), _group(300)], MILLION) == 0


def test_the_measured_density_sizes_the_ranges() -> None:
    groups = [_group(100_000), _group(100_000)]  # 10,000 matches expected if independent
    # The probe found 20 times more: words of one language, one topic (5 % of the posts match).
    sample = Sample(since=900 * 1024, matches=(1_000_001 - 900 * 1024) // 20)
    plan = choose_plan(groups, MILLION, cap=1000, sample=sample)
    assert plan.kind == "recent"
    newest, *older = plan.ranges
    # The newest range holds FIRST_MEASURED * cap at 1 match in 20 posts, to within a block.
    assert 1_000_001 - newest[0] == pytest.approx(FIRST_MEASURED * 1000 * 20, abs=BLOCK)
    # Then STEPS short ranges for a shortfall, then ranges as long as all newer ones, down to the first post.
    step = math.ceil(STEP * 1000 * 20)
    assert all(step <= until - since < step + BLOCK for since, until in older[:STEPS])
    assert all(older[1] == newer[0] for newer, older in itertools.pairwise(plan.ranges))
    assert older[STEPS][1] - older[STEPS][0] >= 1_000_001 - older[STEPS][1] - BLOCK
    assert plan.ranges[-1][0] == 0 and len(plan.ranges) < 12
    # From the counts alone, the newest range would hold 3,000 matches: 2,000 rows fetched for nothing.
    assert (1_000_001 - choose_plan(groups, MILLION, cap=1000).ranges[0][0]) / 20 > 2.5 * 1000


def test_a_probe_over_every_post_is_the_exact_total() -> None:
    groups = [_group(300), _group(3_000)]  # ~1 match expected: the probe counts every post
    assert choose_plan(groups, MILLION, cap=1000, sample=Sample(0, 1000)) == Plan("all")
    assert choose_plan(groups, MILLION, cap=1000, sample=Sample(0, 0)) == Plan("all")
    # 8,000 found where 1 was expected: the newest range holds 1,150 of them, not every post.
    plan = choose_plan(groups, MILLION, cap=1000, sample=Sample(0, 8000))
    assert plan.kind == "recent" and 1_000_001 - plan.ranges[0][0] == pytest.approx(143_750, abs=BLOCK)
    # Few found among the newest posts only: the rest of the index may hold more.
    assert choose_plan(groups, MILLION, cap=1000, sample=Sample(500 * 1024, 3)) == Plan("all")


def test_recent_ranges_double_down_to_the_first_post() -> None:
    ranges = recent_ranges(250 * BLOCK, Corpus(first_id=10 * BLOCK + 5, last_id=260 * BLOCK - 1, documents=1))
    assert ranges == ((250 * BLOCK, 1 << 21), (240 * BLOCK, 250 * BLOCK), (220 * BLOCK, 240 * BLOCK),
                      (180 * BLOCK, 220 * BLOCK), (100 * BLOCK, 180 * BLOCK), (0, 100 * BLOCK))


def test_block_keys_cover_a_range_exactly_with_few_keys() -> None:
    def covered(keys: list[int]) -> set[int]:
        blocks = set()
        for key in keys:
            shift, number = key >> 24, key & ((1 << 24) - 1)
            blocks |= set(range(number << shift, (number + 1) << shift, BLOCK))
        return blocks

    for since, until in [(0, 4 * BLOCK), (3 * BLOCK, 300 * BLOCK), (109 * BLOCK, 1024 * BLOCK), (5 * BLOCK, 6 * BLOCK)]:
        keys = block_keys(since, until)
        assert covered(keys) == set(range(since, until, BLOCK)) and len(keys) == len(set(keys))
        assert len(keys) <= 2 * 7 * 3 + (until >> 21) + 1  # at most 7 of a size at each end
    assert block_keys(0, 1 << 21) == [(21 << 24) | 0]


def test_a_stem_and_its_words_count_once() -> None:
    assert union_estimate({"angoiss": 450, "angoisse": 420, "angoisses": 40}) == 450
    assert union_estimate({"nausea": 20, "nausees": 300}) == 320
    # The English stem of "family" is rarer than the Dutch word it begins: the most common counts.
    assert union_estimate({"famili": 6_185, "familie": 46_464, "family": 6_185}) == 46_464 + 6_185


def test_pieces_drop_repeats_and_stems_the_prefix_covers() -> None:
    assert _cached_pieces(("'naus'", "'naus'", "'naus'", "'nause':*")) == ("'naus'", "'nause':*")
    assert _cached_pieces(("'diazepam'", "'diazepam'", "'diazepam'", "'diazepam':*")) == ("'diazepam':*",)
    assert _cached_pieces(("", "", "'le'", "'le':*")) == ("'le':*",)  # stopwords in two languages
    assert _cached_pieces(("'abc' & 'def'", "'abc':* & 'def':*")) == ("'abc' & 'def'", "'abc':* & 'def':*")


def test_lexemes_are_quoted_for_tsquery() -> None:
    assert quote("l'eau") == "'l''eau'" and quote("a\\b") == "'a\\\\b'"


# -- on PostgreSQL -------------------------------------------------------------------------------

WORDS = ["sommeil", "angoisse", "vertiges", "palpitations", "baisse", "palier", "médecin", "patience"]


@pytest.fixture
def corpus(app, session: Session) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """1,200 posts in one thread, indexed through the backend: common words everywhere,
    "zolpidem" only in the oldest 200 posts, "lying" (English stem "lie") in a few.
    Their ids are 16 apart (as if most posts were hidden), so they span several blocks."""
    if app.state.db.is_sqlite:
        pytest.skip("the planner is PostgreSQL's")
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, title="Nuits", body="sommeil")
    session.commit()
    rng = random.Random(5)
    bodies = []
    for index in range(1200):
        words = rng.sample(WORDS, 3) + (["zolpidem"] if index < 200 else []) + (["lying"] if index % 97 == 0 else [])
        bodies.append(" ".join(words))
    first = session.scalar(text("SELECT max(id) FROM forum_posts")) + 1
    session.execute(
        text("INSERT INTO forum_posts (id, thread_id, author_id, body_md, body_html, status, notices, created_at) "
             "VALUES (:id, :thread, :author, :body, :body, 'published', '', now() - make_interval(secs => :age))"),
        [{"id": first + 16 * i, "thread": posted.thread.id, "author": author.id, "body": body, "age": 2000 - i}
         for i, body in enumerate(bodies)])
    session.execute(text("SELECT setval(pg_get_serial_sequence('forum_posts', 'id'), :last)"),
                    {"last": first + 16 * len(bodies)})
    backend = PostgresFts()
    backend.upsert(session, [_document(first + 16 * i, posted.thread.id, body, "en" if "lying" in body else "fr")
                             for i, body in enumerate(bodies)])
    session.commit()
    session.execute(text("ANALYZE search_documents"))
    session.commit()
    yield [first + 16 * i for i in range(len(bodies))]


def _document(post_id: int, thread_id: int, body: str, lang: str = "fr") -> Document:
    import datetime as dt

    return Document(post_id=post_id, thread_id=thread_id, title="Nuits", body=body, lang=lang, category_id=0,
                    category="c", visibility="public", created_at=dt.datetime.now(dt.UTC))


def _reference(session: Session, query: str, cap: int) -> list[tuple[int, float]]:
    """The query as it ran before the planner (app/search/database.py before revision search0005)."""
    params, parts = {}, []
    for index, term in enumerate(search_text.terms(query)):
        params[f"t{index}"] = term
        stems = " || ".join(f"plainto_tsquery('{cfg}', :t{index})" for cfg in ("french", "dutch", "english"))
        parts.append(f"({stems} || to_tsquery('simple', quote_literal(:t{index}) || ':*'))")
    rows = session.execute(text(
        "SELECT d.post_id, ts_rank_cd(d.tsv, q.query) FROM search_documents AS d, "
        f"(SELECT {' && '.join(parts)} AS query) AS q WHERE d.tsv @@ q.query ORDER BY d.post_id DESC LIMIT :cap"
    ), {**params, "cap": cap})
    return [(row[0], row[1]) for row in rows]


def _plans(groups: list[TermGroup], corpus: Corpus) -> list[Plan]:
    plans = [Plan("all"), *(Plan("rare-first", rare=i) for i in range(len(groups)))]
    return plans + [Plan("recent", ranges=recent_ranges(_block(corpus.last_id - span), corpus, step=step, steps=steps))
                    for span in (10, 300, 700, 5000) for step, steps in ((0, 0), (1, 3), (2 * BLOCK, 2))]


def _block(post_id: int) -> int:
    return max(0, post_id) // BLOCK * BLOCK


def _groups(session: Session, query: str) -> tuple[list[TermGroup], Corpus]:
    found = PostgresFts().groups(session, search_text.terms(query))
    assert found is not None
    return found


@pytest.mark.parametrize("query", ["sommeil angoisse", "palpitations zolpidem", "vertige", "baisse pali",
                                   "médecin patience sommeil", "lie", "zolpidem", "sommeil_angoisse lie"])
def test_every_plan_finds_what_the_plain_query_finds(corpus: list[int], session: Session, query: str) -> None:
    groups, stats = _groups(session, query)
    for cap in (20, 150):
        expected = _reference(session, query, cap)
        assert expected, query
        for plan in _plans(groups, stats):
            assert PostgresFts().newest_matches(session, groups, plan, cap) == expected, (query, cap, plan)


def _ranges_run(session: Session, groups: list[TermGroup], plan: Plan, cap: int) -> int:
    """How many of a "recent" plan's ranges PostgreSQL searched (the others: "never executed")."""
    window, params = window_sql(plan)
    explained = session.scalar(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {window}"),
                               {**PostgresFts._params(groups, plan, cap), **params})
    found = json.loads(explained) if isinstance(explained, str) else explained
    append = found[0]["Plan"]["Plans"][0]
    assert append["Node Type"] == "Append", append
    return sum(1 for branch in append["Plans"] if branch.get("Actual Loops", 0) > 0)


def test_the_planner_chooses_from_the_counts(corpus: list[int], session: Session) -> None:
    def chosen(query: str, cap: int) -> tuple[Plan, list[TermGroup]]:
        groups, stats = _groups(session, query)
        plan = choose_plan(groups, stats, cap=cap)
        assert PostgresFts().newest_matches(session, groups, plan, cap) == _reference(session, query, cap)
        # The plan the search runs: the same, or sized from the probe's count.
        probed = PostgresFts().plan(session, groups, stats, cap)
        assert PostgresFts().newest_matches(session, groups, probed, cap) == _reference(session, query, cap)
        return plan, groups

    # Both words in ~40 % of the posts: the 20 newest matches lie in the newest blocks; older
    # ranges are searched only as far as needed.
    plan, groups = chosen("sommeil angoisse", 20)
    assert plan.kind == "recent" and plan.ranges[0][0] > corpus[0] and plan.ranges[-1][0] == 0
    assert _ranges_run(session, groups, plan, 20) < len(plan.ranges)
    assert chosen("sommeil angoisse", 1000)[0] == Plan("all")  # ~200 matches expected: no range would help
    # "zolpidem" is in 200 posts, all old: the newest ranges hold none, the search goes on to older ones.
    plan, groups = chosen("sommeil zolpidem", 20)
    assert plan.kind == "recent" and plan.ranges[0][0] > corpus[200]
    assert _ranges_run(session, groups, plan, 20) >= 2
    # A word the parser splits cannot be listed as lexemes; "lie" is rare and read first.
    assert chosen("sommeil_angoisse lie", 20)[0] == Plan("rare-first", rare=1)


def test_search_pages_are_those_of_the_plain_query(app, corpus: list[int], session: Session) -> None:  # type: ignore[no-untyped-def]
    backend = PostgresFts()
    page = backend.search(session, SearchQuery(text="sommeil angoisse", page_size=10, page=2))
    window = _reference(session, "sommeil angoisse", 1000)
    ordered = [post_id for post_id, _rank in sorted(window, key=lambda r: (-r[1], -r[0]))]
    assert [hit.post_id for hit in page.items] == ordered[10:20]
    assert page.total == len(window)


def test_vocabulary_counts_follow_every_write(corpus: list[int], session: Session) -> None:
    backend = PostgresFts()
    thread_id = session.scalar(text("SELECT thread_id FROM forum_posts WHERE id = :id"), {"id": corpus[0]})
    # An edit (words in and out), a document removed, one in Dutch, one re-indexed unchanged.
    backend.upsert(session, [_document(corpus[0], thread_id, "cauchemars et insomnie"),
                             _document(corpus[1], thread_id, "slapeloosheid en angst", lang="nl"),
                             _document(corpus[2], thread_id, session.scalar(
                                 text("SELECT body FROM search_documents WHERE post_id = :id"), {"id": corpus[2]}))])
    backend.delete(session, [corpus[3], corpus[3], 999_999_999])
    session.commit()
    counted = {row.term: row.documents
               for row in session.execute(text("SELECT term, documents FROM search_fts_terms WHERE documents > 0"))}
    actual = {row.word: row.ndoc
              for row in session.execute(text("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_documents')"))}
    assert counted == actual
    assert {"cauchemar", "cauchemars", "slapelos", "insomn", "lie"} <= set(counted)  # stems are lexemes too
    backend.clear(session)
    session.commit()
    assert session.scalar(text("SELECT count(*) FROM search_fts_terms WHERE documents <> 0")) == 0
