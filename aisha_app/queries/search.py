"""Searching text columns the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import func

LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


def contains(column: Any, text: str) -> Any:
    """``column`` holds ``text``, ignoring case (SQLite's lower() knows ASCII letters only), and
    literally: % and _ typed in a search are characters, not LIKE wildcards, on both databases."""
    pattern = f"%{text.strip().lower().translate(LIKE_ESCAPE)}%"
    return func.lower(column).like(pattern, escape="\\")


_PHONE_TYPED = re.compile(r"\+?[\d\s().-]{4,30}")


def phone_matches(column: Any, text: str) -> Any | None:
    """A phone number as people type it (``0712 345 678``, ``0712345678``, ``254712345678``,
    ``+254712345678``), matched against E.164 ``column``; None when ``text`` is no number.

    The national trunk 0 goes: what is left (``712345678``) is part of every way to write it.
    """
    if not _PHONE_TYPED.fullmatch(text.strip()):
        return None
    digits = re.sub(r"\D", "", text).lstrip("0")
    if len(digits) < 4:
        return None
    return column.like(f"%{digits}%")
