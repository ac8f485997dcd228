"""Route parameters with the bounds every database accepts, validated at the edge.

Ids and page numbers beyond what an integer column holds once reached the
database and came back as 500s (2^63 overflows SQLite's binding, 2^31 a
PostgreSQL `integer`). A path id out of range is simply a page that does not
exist (404, see app/web/errors.py); a page number or date out of range is bad
input (422), said plainly.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

#: Ids are `integer` columns on PostgreSQL (the smaller of the two databases' limits).
MAX_ID = 2**31 - 1
#: Far more pages than any list has, small enough that page * size never overflows.
MAX_PAGE = 100_000
#: Dates a search filter or diary query may name: far enough either way, and
#: clear of the calendar's ends, where adding a day overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
OptionalPage = Annotated[int | None, Query(ge=1, le=MAX_PAGE)]


def in_date_range(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def is_whole_number(value: str) -> bool:
    """ASCII digits only: `str.isdigit()` is also true of "²" or "①", which `int()` refuses (a 500)."""
    return value.isascii() and value.isdigit()


def form_id(value: str) -> int | None:
    """An id sent in a form field (hidden or typed), or None when it cannot name a row."""
    if not is_whole_number(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
