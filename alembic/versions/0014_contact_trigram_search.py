"""contact search through trigram indexes: FTS5 (trigram tokenizer) on SQLite, pg_trgm on PostgreSQL

A customer is found by any part of their name, number or email without reading every contact.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "name, phone_e164, email"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, expression in (("name", "lower(name)"), ("phone", "lower(phone_e164)"), ("email", "lower(email)")):
            op.execute(f"CREATE INDEX ix_contacts_{name}_trgm ON contacts USING gin ({expression} gin_trgm_ops)")
        return
    op.execute(f"CREATE VIRTUAL TABLE contacts_fts USING fts5({COLUMNS}, content='contacts', content_rowid='id', "
               "tokenize='trigram')")
    new = "new.name, new.phone_e164, new.email"
    old = "old.name, old.phone_e164, old.email"
    op.execute(f"CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN "
               f"INSERT INTO contacts_fts (rowid, {COLUMNS}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN "
               f"INSERT INTO contacts_fts (contacts_fts, rowid, {COLUMNS}) VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER contacts_fts_update AFTER UPDATE OF {COLUMNS} ON contacts BEGIN "
               f"INSERT INTO contacts_fts (contacts_fts, rowid, {COLUMNS}) VALUES ('delete', old.id, {old}); "
               f"INSERT INTO contacts_fts (rowid, {COLUMNS}) VALUES (new.id, {new}); END")
    op.execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("name", "phone", "email"):
            op.execute(f"DROP INDEX IF EXISTS ix_contacts_{name}_trgm")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS contacts_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS contacts_fts")
