"""CSV that a spreadsheet opens safely: a customer's text that it would run as a formula
(``=HYPERLINK(...)``, ``+1+1``, ``@SUM``) is written as text, a phone number stays a number."""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE = re.compile(r"^\+[0-9]{6,15}$")


def cell(value: object) -> object:
    """``value`` as a CSV cell: text a spreadsheet would run as a formula is quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PHONE.match(value):
        return "'" + value
    return value
