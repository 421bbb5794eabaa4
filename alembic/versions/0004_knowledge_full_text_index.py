"""knowledge full-text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from aisha_app.assistant.index import TABLE, put
    from aisha_app.assistant.knowledge import words

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute(f"CREATE TABLE {TABLE} (kind varchar(16) NOT NULL, ref_id integer NOT NULL, body text NOT NULL, "
                   "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED, "
                   "PRIMARY KEY (kind, ref_id))")
        op.execute(f"CREATE INDEX ix_{TABLE}_tsv ON {TABLE} USING gin (tsv)")
    else:
        op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(kind UNINDEXED, ref_id UNINDEXED, body, "
                   "tokenize='unicode61 remove_diacritics 2')")
    # What is already there (the demo shop, or a live catalog) is indexed once here.
    for row in conn.execute(sa.text("SELECT id, question, tags FROM knowledge_articles")).mappings():
        tags = row["tags"] if isinstance(row["tags"], list) else json.loads(row["tags"] or "[]")
        put(conn, "faq", row["id"], " ".join(sorted(words(row["question"] + " " + " ".join(tags)))))
    for row in conn.execute(sa.text("SELECT id, name, name_ar, category, sku FROM products")).mappings():
        text = f"{row['name']} {row['name_ar'] or ''} {row['category'] or ''} {row['sku'] or ''}"
        put(conn, "product", row["id"], " ".join(sorted(words(text))))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS knowledge_index")
