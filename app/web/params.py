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
from pydantic import BeforeValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

#: Ids are `integer` columns on PostgreSQL (the smaller of the two databases' limits).
MAX_ID = 2**31 - 1
#: Far more pages than any list has, small enough that page * size never overflows.
MAX_PAGE = 100_000
#: Dates a search filter or diary query may name: far enough either way, and
#: clear of the calendar's ends, where adding a day overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)

#: The validation error of an id in a path that names a row but is not written as its one address is
#: ("01", "+1", "1.0", "1_0" all parse as a number): app/web/errors.py redirects a GET to that address.
NOT_CANONICAL = "id_not_canonical"
_INT = TypeAdapter(int)


def _canonical_id(value: object) -> object:
    """`value` when it is the id's only spelling (digits, no leading zero), or when it names no row at all
    (left to the checks that follow: not found); else NOT_CANONICAL, with the id as it is written."""
    if not isinstance(value, str) or (is_whole_number(value) and not value.startswith("0")):
        return value
    try:
        number = _INT.validate_python(value)
    except ValidationError:
        return value
    if not 1 <= number <= MAX_ID:
        return value
    raise PydanticCustomError(NOT_CANONICAL, "written {canonical}", {"canonical": str(number)})


# A path id has one spelling: otherwise /t/01, /t/+1 and /t/1.0 would each be a page of its own (search engines'
# duplicates, and as many entries in the visitors' page cache).
Id = Annotated[int, BeforeValidator(_canonical_id), Path(ge=1, le=MAX_ID)]
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
