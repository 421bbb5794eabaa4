"""the staff-label flag in its own column; waiting-list names unique in any case

contacts.label_by_staff replaces attributes["label_set_by_staff"], which any contact edit could
overwrite (reverting a staff-chosen HOT label at the next rescore). Contacts stored with null tags
or attributes (a PATCH of null once did that, and broke every listing) are repaired on the way.

waiting_lists.name_key holds the casefolded name under a unique constraint, so "Öff" and "öff"
cannot both exist on either database; existing pairs like that are told apart by the later
list's id.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from aisha_app.models.base import JSONType

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAG = "label_set_by_staff"
contacts = sa.table(
    "contacts",
    sa.column("id", sa.Integer),
    sa.column("tags", JSONType),
    sa.column("attributes", JSONType),
    sa.column("source_details", JSONType),
    sa.column("label_by_staff", sa.Boolean),
)
waiting_lists = sa.table(
    "waiting_lists", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
)


def _key(name: str) -> str:  # aisha_app.models.journey.list_name_key, as it was when this ran
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name.strip()).casefold())


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_by_staff', sa.Boolean(), server_default=sa.false(), nullable=False))
    as_text = {name: sa.cast(contacts.c[name], sa.Text) for name in ("tags", "attributes", "source_details")}
    touched = conn.execute(
        sa.select(contacts.c.id, contacts.c.tags, contacts.c.attributes, contacts.c.source_details).where(
            sa.or_(as_text["attributes"].like(f"%{FLAG}%"), *(text == "null" for text in as_text.values()))
        )
    ).mappings().all()
    for row in touched:
        attributes = dict(row["attributes"]) if isinstance(row["attributes"], dict) else {}
        flag = bool(attributes.pop(FLAG, False))
        conn.execute(
            contacts.update()
            .where(contacts.c.id == row["id"])
            .values(
                attributes=attributes,
                tags=row["tags"] if isinstance(row["tags"], list) else [],
                source_details=row["source_details"] if isinstance(row["source_details"], dict) else {},
                label_by_staff=flag,
            )
        )

    with op.batch_alter_table('waiting_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
    seen: set[str] = set()
    for list_id, name in conn.execute(sa.select(waiting_lists.c.id, waiting_lists.c.name).order_by("id")).all():
        if _key(name) in seen:
            name = f"{name[:100]} ({list_id})"
        seen.add(_key(name))
        conn.execute(
            waiting_lists.update().where(waiting_lists.c.id == list_id).values(name=name, name_key=_key(name))
        )
    with op.batch_alter_table('waiting_lists', schema=None) as batch_op:
        batch_op.alter_column(
            'name_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f('uq_waiting_lists_name_key'), ['name_key'])


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('waiting_lists', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_waiting_lists_name_key'), type_='unique')
        batch_op.drop_column('name_key')
    flagged = conn.execute(
        sa.select(contacts.c.id, contacts.c.attributes).where(contacts.c.label_by_staff.is_(True))
    ).mappings().all()
    for row in flagged:
        conn.execute(
            contacts.update()
            .where(contacts.c.id == row["id"])
            .values(attributes={**(row["attributes"] or {}), FLAG: True})
        )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('label_by_staff')
