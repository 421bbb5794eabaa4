"""templates: examples, header, footer, buttons, the provider's verdict (reason, quality, when)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import aisha_app.models.base

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = aisha_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("message_templates") as batch_op:
        batch_op.alter_column(
            "name",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=120),
            type_=sqlmodel.sql.sqltypes.AutoString(length=512),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("examples", JSON, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("header", JSON, nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("footer", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column("buttons", JSON, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("quality", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("status_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_templates") as batch_op:
        for column in ("status_at", "quality", "rejection_reason", "buttons", "footer", "header", "examples"):
            batch_op.drop_column(column)
        batch_op.alter_column(
            "name",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=512),
            type_=sqlmodel.sql.sqltypes.AutoString(length=120),
            existing_nullable=False,
        )
