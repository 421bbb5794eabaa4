import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from aisha_app import migrations

# Tables every later feature stands on; a migration that loses one fails here.
EXPECTED_TABLES = {
    "users",
    "contacts",
    "conversations",
    "messages",
    "lead_activities",
    "waiting_lists",
    "waiting_list_entries",
    "reviews",
    "message_templates",
    "products",
    "knowledge_articles",
    "automations",
    "automation_runs",
    "jobs",
    "webhook_events",
    "audit_log",
    "login_attempts",
    "app_settings",
}


def test_migrations_go_from_empty_to_head_and_back(database):
    migrations.downgrade(revision="base")
    assert set(sa.inspect(database).get_table_names()) <= {"alembic_version"}

    migrations.upgrade()
    assert set(sa.inspect(database).get_table_names()) >= EXPECTED_TABLES


def test_head_schema_matches_the_models(database):
    with database.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrations.in_models})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_inbox_queries_have_their_indexes(database):
    inspector = sa.inspect(database)
    message_indexes = {i["name"] for i in inspector.get_indexes("messages")}
    conversation_indexes = {i["name"] for i in inspector.get_indexes("conversations")}
    assert {"ix_messages_conversation_direction_created", "ix_messages_conversation_id"} <= message_indexes
    assert {
        "ix_conversations_status_last_message",
        "ix_conversations_assignee_status",
    } <= conversation_indexes
    unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("messages")}
    assert ("channel", "provider_message_id") in unique
