"""Searching text columns the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlmodel import func

LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


def contains(column: Any, text: str) -> Any:
    """``column`` holds ``text``, ignoring case (SQLite's lower() knows ASCII letters only), and
    literally: % and _ typed in a search are characters, not LIKE wildcards, on both databases."""
    pattern = f"%{text.strip().lower().translate(LIKE_ESCAPE)}%"
    return func.lower(column).like(pattern, escape="\\")
