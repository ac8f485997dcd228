"""One page of a list, as every list page and API shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


def pages_for(total: int, size: int) -> int:
    """How many pages `total` items fill (at least one, so an empty list still has a page)."""
    return max(1, -(-total // size))


def offset_for(page: int, size: int) -> int:
    return (max(page, 1) - 1) * size
