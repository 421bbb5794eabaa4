"""Searching text columns the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, func, or_, select

LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


def contains(column: Any, text: str) -> Any:
    """``column`` holds ``text``, ignoring case (SQLite's lower() knows ASCII letters only), and
    literally: % and _ typed in a search are characters, not LIKE wildcards, on both databases."""
    pattern = f"%{text.strip().lower().translate(LIKE_ESCAPE)}%"
    return func.lower(column).like(pattern, escape="\\")


_PHONE_TYPED = re.compile(r"\+?[\d\s().-]{4,30}")


def phone_digits(text: str) -> str | None:
    """What every way of writing a typed number shares (``712345678``); None when no number."""
    if not _PHONE_TYPED.fullmatch(text.strip()):
        return None
    return re.sub(r"\D", "", text).lstrip("0")


def phone_matches(column: Any, text: str) -> Any | None:
    """A phone number as people type it (``0712 345 678``, ``0712345678``, ``254712345678``,
    ``+254712345678``), matched against E.164 ``column``; None when ``text`` is no number.

    The national trunk 0 goes: what is left (``712345678``) is part of every way to write it.
    """
    digits = phone_digits(text)
    if digits is None or len(digits) < 4:
        return None
    return func.lower(column).like(f"%{digits}%")  # lower(): the form PostgreSQL's trigram index has


# Messages are found by words through the database's own full-text engine, never by a scan:
# SQLite keeps an FTS5 index of messages.body (external content, kept by triggers), PostgreSQL
# a GIN index on the body's tsvector (the 'simple' configuration: no stemming, any language).
MESSAGE_FTS = "messages_fts"
MESSAGE_GIN = "ix_messages_body_fts"
MESSAGE_TSVECTOR = "to_tsvector('simple', coalesce(messages.body, ''))"  # the index's expression
# Contacts are found by any part of their name, number or email through trigram indexes: an
# FTS5 table with the trigram tokenizer on SQLite, pg_trgm GIN indexes on PostgreSQL.
CONTACT_FTS = "contacts_fts"
CONTACT_TRIGRAMS = ("ix_contacts_name_trgm", "ix_contacts_phone_trgm", "ix_contacts_email_trgm")
# Conversations by label, on SQLite: one row a label, kept by triggers (migration 0016); on
# PostgreSQL a GIN index on the JSONB array.
CONVERSATION_LABELS = "conversation_labels"
# What the migrations make outside the SQLModel metadata.
FTS_TABLES = {
    table + suffix
    for table in (MESSAGE_FTS, CONTACT_FTS)
    for suffix in ("", "_data", "_idx", "_docsize", "_config")
} | {CONVERSATION_LABELS}
# Indexes the migrations write by hand: the GIN ones, and the list's order (NULLS LAST spelled out).
HAND_MADE_INDEXES = {
    MESSAGE_GIN,
    "ix_conversations_labels",
    *CONTACT_TRIGRAMS,
    "ix_conversations_newest",
    "ix_conversations_assignee_newest",
}
_WORD = re.compile(r"\w+")
MAX_TERMS = 8


def search_terms(text: str) -> list[str]:
    """The words of a search, lowercased; one letter alone would match nearly everything."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1][:MAX_TERMS]


def messages_with_words(session: Session, text: str) -> Any | None:
    """The ids of conversations with a message holding every word of ``text``; the last word
    also as the beginning of a longer one while it is being typed ("umbr" finds "umbrella",
    "50%" does not find "500"). None when ``text`` has no words."""
    from aisha_app.models import Message

    terms = search_terms(text)
    if not terms:
        return None
    typing = bool(re.search(r"\w$", text.strip())) and text.strip().lower().endswith(terms[-1])
    if session.get_bind().dialect.name == "postgresql":
        parts = [f"{t}:*" if typing and n == len(terms) - 1 else t for n, t in enumerate(terms)]
        query = " & ".join(parts)
        matches = sa.literal_column(MESSAGE_TSVECTOR).op("@@")(func.to_tsquery("simple", query))
        return select(Message.conversation_id).where(matches)
    query = " ".join(f'"{t}"' + ("*" if typing and n == len(terms) - 1 else "") for n, t in enumerate(terms))
    found = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(MESSAGE_FTS))
        .where(sa.literal_column(MESSAGE_FTS).op("MATCH")(query))
    )
    return select(Message.conversation_id).where(Message.id.in_(found))


def contacts_matching(session: Session, text: str) -> Any:
    """The ids of contacts whose name, number or email holds ``text`` (ignoring case, literally),
    or whose number is ``text`` however it is typed; found through the trigram indexes."""
    from aisha_app.models import Contact

    text = text.strip()
    phone = phone_matches(Contact.phone_e164, text)
    if session.get_bind().dialect.name == "postgresql" or len(text) < 3:
        # pg_trgm's GIN indexes serve these LIKEs; on SQLite a word of one or two letters has
        # no trigram, and is looked for the slow way.
        return select(Contact.id).where(
            or_(
                contains(Contact.name, text),
                contains(Contact.phone_e164, text),
                contains(Contact.email, text),
                *([phone] if phone is not None else []),
            )
        )
    match = '"' + text.replace('"', '""') + '"'  # one string of trigrams, any column
    digits = phone_digits(text)
    if phone is not None and digits:
        match += f' OR phone_e164 : "{digits}"'
    return (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(CONTACT_FTS))
        .where(sa.literal_column(CONTACT_FTS).op("MATCH")(match))
    )
