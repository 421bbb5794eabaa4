"""birthday index: a birthday rule's look reads the (month, day) pairs it can greet

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contacts_birthday", "contacts", ["birthday_month", "birthday_day"])


def downgrade() -> None:
    op.drop_index("ix_contacts_birthday", table_name="contacts")
