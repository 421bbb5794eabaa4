"""canned_responses: replies staff insert with /shortcut in the composer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import aisha_app.models.base

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'canned_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shortcut', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', aisha_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', aisha_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_responses')),
        sa.UniqueConstraint('shortcut', name=op.f('uq_canned_responses_shortcut')),
    )


def downgrade() -> None:
    op.drop_table('canned_responses')
