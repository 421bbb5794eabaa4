"""automations: conditions and options; runs keyed by (rule, event) with their log; deleted contacts

``automation_runs`` was never written to: it is made again with the shape the engine logs.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import aisha_app.models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = aisha_app.models.base.UTCDateTime(timezone=True)


def _runs(*columns: sa.Column, constraints=()) -> None:
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("automation_id", sa.Integer(), nullable=False),
        *columns,
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("trigger_event", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_automation_runs_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_automation_runs_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_automation_runs_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
        *constraints,
    )
    op.create_index(
        "ix_automation_runs_automation_created", "automation_runs", ["automation_id", "created_at"]
    )


def upgrade() -> None:
    with op.batch_alter_table("automations") as batch_op:
        batch_op.add_column(sa.Column("conditions", JSON, nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("options", JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(sa.Column("deleted_at", UTC, nullable=True))
    op.drop_table("automation_runs")
    _runs(
        sa.Column("event_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("conditions", JSON, nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        constraints=[sa.UniqueConstraint("automation_id", "event_key", name="uq_automation_runs_event")],
    )
    op.create_index("ix_automation_runs_contact_created", "automation_runs", ["contact_id", "created_at"])


def downgrade() -> None:
    op.drop_table("automation_runs")
    _runs(
        sa.Column("result", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("deleted_at")
    with op.batch_alter_table("automations") as batch_op:
        batch_op.drop_column("options")
        batch_op.drop_column("conditions")
