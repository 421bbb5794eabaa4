"""messages full-text index: FTS5 on SQLite (kept by triggers), a GIN tsvector index on PostgreSQL

The inbox finds messages by words through it instead of a LIKE over every message. Existing
messages are indexed here, once (on a million messages, some tens of seconds).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_messages_body_fts ON messages USING gin "
                   "(to_tsvector('simple', coalesce(body, '')))")
        return
    op.execute("CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
               "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END")
    op.execute("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
               "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END")
    op.execute("CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN "
               "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
               "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END")
    op.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_messages_body_fts")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS messages_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS messages_fts")
