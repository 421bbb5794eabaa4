"""The database's own full-text engine finds candidate passages; ``knowledge.search`` ranks them.

SQLite: an FTS5 table. PostgreSQL: a tsvector column with a GIN index. Both hold the text
after our normalisation (Arabic letter variants, diacritics, plurals), so a question finds an
answer written with another alef, and the index is kept by the ORM in the same transaction as
the FAQ article or product it describes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aisha_app.assistant.knowledge import article_words, product_words, words
from aisha_app.models import KnowledgeArticle, Product

TABLE = "knowledge_index"
# Tables the migrations make outside the SQLModel metadata (FTS5 keeps shadow tables beside it).
NOT_IN_MODELS = {
    TABLE,
    "knowledge_index_data",
    "knowledge_index_idx",
    "knowledge_index_content",
    "knowledge_index_docsize",
    "knowledge_index_config",
}


def text_for(kind: str, target: KnowledgeArticle | Product) -> str:
    """What the index holds for an entry: the same normalised words the ranking compares."""
    return " ".join(sorted(article_words(target) if kind == "faq" else product_words(target)))


def put(conn: Connection, kind: str, ref_id: int, text: str) -> None:
    conn.execute(
        sa.text("DELETE FROM knowledge_index WHERE kind = :kind AND ref_id = :ref"),
        {"kind": kind, "ref": ref_id},
    )
    conn.execute(
        sa.text("INSERT INTO knowledge_index (kind, ref_id, body) VALUES (:kind, :ref, :body)"),
        {"kind": kind, "ref": ref_id, "body": text},
    )


def drop(conn: Connection, kind: str, ref_id: int) -> None:
    conn.execute(
        sa.text("DELETE FROM knowledge_index WHERE kind = :kind AND ref_id = :ref"),
        {"kind": kind, "ref": ref_id},
    )


def candidates(conn: Connection, query: str, limit: int = 50) -> list[tuple[str, int]]:
    """(kind, id) of entries sharing a word (or a word's beginning) with the query, best first."""
    terms = [w for w in sorted(words(query)) if w.replace("-", "").isalnum()]
    if not terms:
        return []
    if conn.dialect.name == "postgresql":
        tsquery = " | ".join(f"{w.replace('-', '')}:*" for w in terms)
        rows = conn.execute(
            sa.text(
                "SELECT kind, ref_id FROM knowledge_index WHERE tsv @@ to_tsquery('simple', :q) "
                "ORDER BY ts_rank(tsv, to_tsquery('simple', :q)) DESC LIMIT :n"
            ),
            {"q": tsquery, "n": limit},
        )
    else:
        match = " OR ".join(f'"{w}"*' for w in terms)
        rows = conn.execute(
            sa.text(
                "SELECT kind, ref_id FROM knowledge_index WHERE knowledge_index MATCH :q "
                "ORDER BY rank LIMIT :n"
            ),
            {"q": match, "n": limit},
        )
    return [(kind, int(ref)) for kind, ref in rows]
