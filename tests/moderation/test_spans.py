"""DisjointSpans answers like the pairwise comparison it replaced (which grew with the square of a
post's findings: 2,500 "junkie." in 20,000 characters took seconds)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.engine import get_engine
from moderation.spans import DisjointSpans

SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1])), max_size=40)


# No deadline: on a loaded 2-core CI machine one example can take longer than Hypothesis' 200 ms.
@settings(deadline=None)
@given(SPANS)
def test_keeps_exactly_what_the_pairwise_check_keeps(spans: list[tuple[int, int]]) -> None:
    kept: list[tuple[int, int]] = []
    fast = DisjointSpans()
    for start, end in spans:
        expected = not any(start < e and s < end for s, e in kept)
        assert fast.add(start, end) == expected
        if expected:
            kept.append((start, end))


def test_a_post_of_thousands_of_findings_keeps_one_per_span() -> None:
    text = "junkie. " * 2500
    findings = get_engine().check(text, "fr", use_model=False)
    stigma = [f for f in findings if f.category == "stigma"]
    assert len(stigma) == 2500
    assert all(a.end <= b.start for a, b in zip(stigma, stigma[1:], strict=False))
