"""inbox indexes: the conversation list newest first, and a thread's messages by id

ix_conversations_newest serves the list's order (last_message_at DESC NULLS LAST, id DESC) on
both databases (written by hand: PostgreSQL needs NULLS LAST spelled out to use it).
ix_messages_conversation_id pages a thread by id and finds its last shown message, however
its messages lie among everyone else's.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite orders NULLs last in DESC by itself (and refuses NULLS LAST in an index).
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"CREATE INDEX ix_conversations_newest ON conversations (last_message_at DESC{nulls}, id DESC)")
    op.create_index('ix_messages_conversation_id', 'messages', ['conversation_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_messages_conversation_id', table_name='messages')
    op.execute("DROP INDEX IF EXISTS ix_conversations_newest")
