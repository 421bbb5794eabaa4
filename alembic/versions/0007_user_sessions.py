"""user sessions: signing out ends a session on the server

Tokens name a row of user_sessions; revoking the row ends the session. That replaces
users.token_version, which could only end all of a user's sessions at once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import aisha_app.models.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', aisha_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', aisha_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', aisha_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions'))
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    # A plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not batch mode: batch mode copies
    # the table and drops the old one, and with foreign keys on that drop would set the audit
    # log's actors, the conversations' assignees and the messages' senders to NULL.
    op.drop_column('users', 'token_version')


def downgrade() -> None:
    op.add_column('users', sa.Column('token_version', sa.Integer(), nullable=False, server_default='0'))
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
