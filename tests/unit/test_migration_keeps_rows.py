"""Upgrading a populated database keeps its rows, even where SQLite has to copy a table.

SQLite alters a table by copying it and dropping the old one; with foreign keys on, that drop
deletes (ON DELETE CASCADE) or clears (SET NULL) every row that points at it.
"""

import sqlalchemy as sa
from sqlmodel import Session

from aisha_app import migrations
from aisha_app.queries.inbox import ConversationFilter, count_conversations

NOW = "2026-11-20 12:00:00"


def test_upgrading_from_the_first_schema_keeps_every_conversations_messages(database):
    migrations.downgrade(revision="0002")
    with database.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contacts (id, name, phone_e164, tags, attributes, opted_out, lead_stage,"
                " lead_score, source_type, source_details, created_at, updated_at)"
                " VALUES (7, 'Wanjiru', '+254712345678', '[]', '{}', FALSE, 'new', 0, 'organic', '{}',"
                " :now, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sa.text(
                "INSERT INTO conversations (id, contact_id, channel, status, ai_enabled, labels, created_at,"
                " updated_at) VALUES (70, 7, 'simulator', 'open', TRUE, '[\"vip\", \"boots\", \"vip\"]',"
                " :now, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sa.text(
                "INSERT INTO messages (id, conversation_id, channel, direction, type, body, status,"
                " from_assistant, meta, created_at) VALUES (700, 70, 'simulator', 'inbound', 'text',"
                " 'Habari', 'received', FALSE, '{}', :now)"
            ),
            {"now": NOW},
        )
    migrations.upgrade()
    with database.connect() as conn:
        assert conn.execute(sa.text("SELECT body FROM messages WHERE id = 700")).scalar_one() == "Habari"
        assert conn.execute(sa.text("SELECT contact_id FROM conversations WHERE id = 70")).scalar_one() == 7
    with Session(database) as session:  # labels set before their index was made are found through it
        for label, found in (("vip", 1), ("boots", 1), ("vi", 0)):
            assert count_conversations(session, ConversationFilter(label=label)) == found, label
