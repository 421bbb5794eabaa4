"""indexes: the inbox's mine and unassigned newest first; the leads board's contacts by last
change; a conversation's messages by direction and time (counted from the index alone)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""  # see 0013
    op.execute("CREATE INDEX ix_conversations_assignee_newest ON conversations "
               f"(assignee_id, last_message_at DESC{nulls}, id DESC)")
    op.create_index('ix_contacts_updated_at', 'contacts', ['updated_at'], unique=False)
    # A conversation's customer messages since a time, from the index alone (unread, scores).
    op.create_index('ix_messages_conversation_direction_created', 'messages',
                    ['conversation_id', 'direction', 'created_at'], unique=False)
    op.drop_index('ix_messages_conversation_created', table_name='messages')


def downgrade() -> None:
    op.create_index('ix_messages_conversation_created', 'messages', ['conversation_id', 'created_at'], unique=False)
    op.drop_index('ix_messages_conversation_direction_created', table_name='messages')
    op.drop_index('ix_contacts_updated_at', table_name='contacts')
    op.execute("DROP INDEX IF EXISTS ix_conversations_assignee_newest")
