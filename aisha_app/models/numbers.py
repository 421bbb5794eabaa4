"""Bounded integers for everything the API reads.

A number beyond what a column holds reached a query and failed there (a 500): SQLite stores 64
bits, and our ids are INTEGER columns, 32 bits on PostgreSQL. Every integer in a path, query or
body is one of these (tests/unit/test_api_input.py walks the OpenAPI schema), so it is a 422.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**31 - 1  # ids are INTEGER: int4 on PostgreSQL
MAX_OFFSET = 2**63 - 1  # OFFSET takes a BIGINT on PostgreSQL and 64 bits on SQLite

# A row's id: positive, and within what the column can hold.
IdNumber = Annotated[int, Interval(ge=1, le=MAX_ID)]


def id_in(text: object) -> int | None:
    """A row id typed into an address or a page's event ("12"), or None: only ASCII digits
    (``"²".isdigit()`` is true, and ``int`` refuses it) within what the column holds."""
    if not isinstance(text, str) or not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
