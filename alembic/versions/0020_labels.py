"""labels: the conversation labels the team keeps, with their colours; the names in use kept

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from collections.abc import Sequence
from datetime import UTC as UTC_ZONE
from datetime import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import aisha_app.models.base

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = aisha_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    labels = op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("colour", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # The labels conversations already carry become managed ones.
    conversations = sa.table("conversations", sa.column("labels", sa.JSON()))
    names = set()
    for (value,) in op.get_bind().execute(sa.select(conversations.c.labels)):
        names.update(str(n)[:40] for n in (value or []) if str(n).strip())
    if names:
        now = datetime.now(UTC_ZONE)
        op.bulk_insert(labels, [{"name": n, "colour": "gray", "created_at": now} for n in sorted(names)])


def downgrade() -> None:
    op.drop_table("labels")
