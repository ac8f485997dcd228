"""Spans of identifying text and how overlapping findings are resolved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """The typed placeholders of the export (DESIGN.md, "Research export")."""

    EMAIL = "EMAIL"
    URL = "URL"
    IBAN = "IBAN"
    NATIONAL_ID = "NATIONAL_ID"
    PHONE = "PHONE"
    MEMBER = "MEMBER"
    ADDRESS = "ADDRESS"
    CARE_PLACE = "CARE_PLACE"
    PERSON = "PERSON"
    PLACE = "PLACE"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


# When findings overlap, the more specific kind wins: a URL that contains a
# name is a URL; an address that contains a town is an address.
PRIORITY = {
    Label.EMAIL: 0, Label.URL: 1, Label.IBAN: 2, Label.NATIONAL_ID: 3, Label.PHONE: 4, Label.ADDRESS: 5,
    Label.CARE_PLACE: 6, Label.MEMBER: 7, Label.PERSON: 8, Label.PLACE: 9,
}
DIRECT = frozenset({Label.EMAIL, Label.URL, Label.IBAN, Label.NATIONAL_ID, Label.PHONE, Label.MEMBER})


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: Label
    source: str = "rules"  # "rules", "members", "spacy", "deduce"

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in text order.

    Spans are taken by priority then length; a span that overlaps one already
    taken is merged into it when it is of a weaker kind and extends it (so a
    model's "Sophie Lambert" and a rule's "Lambert" become one [PERSON]),
    and dropped otherwise.
    """
    taken: list[Span] = []
    for span in sorted(spans, key=lambda s: (PRIORITY[s.label], -len(s), s.start)):
        if len(span) <= 0:
            continue
        clashes = [t for t in taken if t.overlaps(span)]
        if not clashes:
            taken.append(span)
            continue
        if len(clashes) == 1 and clashes[0].label == span.label:
            merged = Span(min(span.start, clashes[0].start), max(span.end, clashes[0].end), span.label,
                          clashes[0].source)
            if not any(t.overlaps(merged) for t in taken if t is not clashes[0]):
                taken[taken.index(clashes[0])] = merged
    return sorted(taken)


def apply(text: str, spans: Iterable[Span]) -> str:
    """The text with every span replaced by its typed placeholder."""
    out: list[str] = []
    position = 0
    for span in resolve(spans):
        out.append(text[position:span.start])
        out.append(span.label.placeholder)
        position = span.end
    out.append(text[position:])
    return "".join(out)
