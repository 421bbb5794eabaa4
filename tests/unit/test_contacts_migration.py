"""Migration 0006: data stored before it (a staff-label flag in attributes, a contact a null PATCH
broke, two lists whose names differ only in case) comes out right."""

from __future__ import annotations

import json

import sqlalchemy as sa

from aisha_app import migrations
from aisha_app.models import Contact, WaitingList


def _insert_contact(conn, name: str, tags: str, attributes: str, label: str | None = None) -> int:
    return conn.execute(
        sa.text(
            "INSERT INTO contacts (name, lead_stage, lead_label, lead_score, source_type, opted_out, tags, "
            "attributes, source_details, created_at, updated_at) VALUES (:name, 'NEW', :label, 0, 'direct', "
            "false, :tags, :attributes, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"name": name, "label": label, "tags": tags, "attributes": attributes},
    ).scalar_one()


def test_old_rows_are_moved_repaired_and_told_apart(database, session):
    migrations.downgrade(revision="0005")
    with database.begin() as conn:
        flagged = _insert_contact(
            conn, "Hot", "[]", json.dumps({"label_set_by_staff": True, "size": 42}), "HOT"
        )
        unflagged = _insert_contact(conn, "Warm", "[]", json.dumps({"label_set_by_staff": False}), "WARM")
        broken = _insert_contact(conn, "Broken", "null", "null")
        for name, token in (("Öff", "t1"), ("öff", "t2"), ("Main", "t3")):
            conn.execute(
                sa.text(
                    "INSERT INTO waiting_lists (name, is_active, display_token, settings, created_at) "
                    "VALUES (:name, true, :token, '{}', CURRENT_TIMESTAMP)"
                ),
                {"name": name, "token": token},
            )
    migrations.upgrade()

    session.expire_all()
    hot, warm, repaired = (session.get(Contact, i) for i in (flagged, unflagged, broken))
    assert (hot.label_by_staff, hot.attributes, hot.lead_label) == (True, {"size": 42}, "HOT")
    assert (warm.label_by_staff, warm.attributes) == (False, {})
    assert (repaired.tags, repaired.attributes) == ([], {})
    lists = session.exec(sa.select(WaitingList.name, WaitingList.name_key).order_by(WaitingList.id)).all()
    second = session.scalar(sa.select(WaitingList.id).where(WaitingList.name.startswith("öff")))
    assert [tuple(row) for row in lists] == [
        ("Öff", "öff"),
        (f"öff ({second})", f"öff ({second})"),
        ("Main", "main"),
    ]


def test_downgrading_puts_the_flag_back_into_the_attributes(database, session):
    session.add(Contact(name="Hot", lead_label="HOT", label_by_staff=True, attributes={"size": 42}))
    session.commit()
    migrations.downgrade(revision="0005")
    with database.connect() as conn:
        attributes = conn.execute(sa.text("SELECT attributes FROM contacts WHERE name = 'Hot'")).scalar_one()
    migrations.upgrade()
    attributes = attributes if isinstance(attributes, dict) else json.loads(attributes)
    assert attributes == {"size": 42, "label_set_by_staff": True}
