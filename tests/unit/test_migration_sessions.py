"""The migration to server-side sessions changes the users table without touching what points at it."""

import sqlalchemy as sa

from aisha_app import migrations

NOW = "2026-11-30 12:00:00"


def test_upgrading_to_server_side_sessions_keeps_who_did_what_in_the_audit_log(database):
    migrations.downgrade(revision="0006")
    with database.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, email, name, role, hashed_password, is_active, token_version,"
                " created_at, updated_at)"
                " VALUES (41, 'old@shop.test', 'Old', 'admin', 'x', TRUE, 3, :now, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (actor_id, action, details, created_at)"
                " VALUES (41, 'user.created', '{}', :now)"
            ),
            {"now": NOW},
        )
    migrations.upgrade()
    with database.connect() as conn:
        assert conn.execute(sa.text("SELECT actor_id FROM audit_log")).scalar_one() == 41
        assert conn.execute(sa.text("SELECT email FROM users WHERE id = 41")).scalar_one() == "old@shop.test"
    assert "token_version" not in {c["name"] for c in sa.inspect(database).get_columns("users")}
