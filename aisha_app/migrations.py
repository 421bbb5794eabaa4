"""Bring a database to the newest schema with Alembic (called by setup, never at import)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name``: what the migrations make by hand (the full-text indexes and
    FTS5's shadow tables) is not in the SQLModel metadata, so comparisons leave it out."""
    from aisha_app.assistant.index import NOT_IN_MODELS
    from aisha_app.queries.search import FTS_TABLES, HAND_MADE_INDEXES

    if type_ == "table":
        return name not in NOT_IN_MODELS | FTS_TABLES
    return not (type_ == "index" and name in HAND_MADE_INDEXES)
