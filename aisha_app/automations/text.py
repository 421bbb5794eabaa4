"""Keywords as customers write them: any case, with or without accents or Arabic short vowels,
with Arabic-Indic or Persian digits for Latin ones (١ is 1), and commas inside a keyword kept."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Arabic-Indic (U+0660..) and Extended Arabic-Indic (U+06F0..) digits read as 0-9.
DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
# Tatweel (the stretching line in "شـكـرا") is drawing, not a letter.
DRAWING = {0x0640: None}


def fold(text: str) -> str:
    """``text`` compared loosely: casefolded, no combining marks (é is e, شُكْرًا is شكرا), one digit script."""
    decomposed = unicodedata.normalize("NFKD", text.translate(DIGITS).translate(DRAWING))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split())


Matcher = Callable[[str, str], str | None]


def matcher(keywords: list[str], match: str) -> Matcher:
    """A function of a message's text and its ``fold`` giving the first keyword it holds, or None."""
    if match == "regex":
        patterns = [(k, re.compile(k, re.IGNORECASE)) for k in keywords]
        return lambda text, folded: next((k for k, p in patterns if p.search(text) or p.search(folded)), None)
    loose = [(k, fold(k)) for k in keywords if fold(k)]
    if match == "contains":
        return lambda text, folded: next((k for k, f in loose if f in folded), None)
    # A whole word or phrase: not inside a longer word ("price" is not in "priceless").
    words = [(k, re.compile(r"(?<!\w)" + re.escape(f) + r"(?!\w)")) for k, f in loose]
    return lambda text, folded: next((k for k, p in words if p.search(folded)), None)
