"""contacts.notes: what the team knows of a customer, edited in the inbox's contact panel

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('contacts', sa.Column('notes', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('contacts', 'notes')
