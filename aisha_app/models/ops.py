"""The machinery: automations, background jobs, raw webhook events, the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from aisha_app.models.base import JSONType, created_at_field, json_field, timestamp_field


class Automation(SQLModel, table=True):
    """A rule: one trigger, conditions, ordered actions (their shapes: ``aisha_app.automations.rules``)."""

    __tablename__ = "automations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # keyword, conversation_opened, tag_added ... (rules.TriggerType)
    trigger_type: str = Field(max_length=32, index=True)
    trigger_config: dict[str, Any] = json_field(dict)
    # {"all": [{"field", "op", "value"}], "any": [...]}
    conditions: dict[str, Any] = json_field(dict)
    # [{"type": "add_tag", "tag": "vip"}, {"type": "send_text", "text": "..."}, ...]
    actions: list[dict[str, Any]] = json_field(list)
    # once per contact or conversation, quiet hours ...
    options: dict[str, Any] = json_field(dict)
    is_active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class RunStatus(StrEnum):
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class AutomationRun(SQLModel, table=True):
    """One rule run for one trigger event: (automation, event_key) is unique, so a rule runs once
    per event however often the event is delivered, and the row is the run's log."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        sa.UniqueConstraint("automation_id", "event_key", name="uq_automation_runs_event"),
        sa.Index("ix_automation_runs_automation_created", "automation_id", "created_at"),
        sa.Index("ix_automation_runs_contact_created", "contact_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    automation_id: int = Field(foreign_key="automations.id", ondelete="CASCADE")
    event_key: str = Field(max_length=120)
    trigger: str = Field(max_length=32)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL")
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", ondelete="SET NULL")
    status: RunStatus = Field(sa_type=sa.String(16))
    # What happened, for the log: the event, each condition with the value it saw, each action's outcome.
    trigger_event: dict[str, Any] = json_field(dict)
    conditions: list[dict[str, Any]] = json_field(list)
    steps: list[dict[str, Any]] = json_field(list)
    error: str | None = Field(default=None, sa_type=sa.Text)
    depth: int = 0
    created_at: datetime = created_at_field()
    finished_at: datetime | None = timestamp_field()


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DEAD = "dead"


class Job(SQLModel, table=True):
    """A unit of slow work. Workers claim it with a conditional update."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = json_field(dict)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=sa.String(16))
    attempts: int = 0
    max_attempts: int = 5
    run_after: datetime = created_at_field()
    locked_by: str | None = Field(default=None, max_length=128)
    locked_at: datetime | None = timestamp_field()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    # Enqueuing the same key twice creates one job.
    dedupe_key: str | None = Field(default=None, max_length=200, sa_column_kwargs={"unique": True})
    created_at: datetime = created_at_field()
    finished_at: datetime | None = timestamp_field()


class WebhookEvent(SQLModel, table=True):
    """The raw body of every webhook a provider sent, kept before it is parsed."""

    __tablename__ = "webhook_events"
    __table_args__ = (sa.Index("ix_webhook_events_provider_received", "provider", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=24)
    event_type: str | None = Field(default=None, max_length=64)
    headers: dict[str, Any] = json_field(dict)
    body: str = Field(sa_type=sa.Text)
    status: str = Field(default="received", max_length=16)
    error: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = created_at_field()
    processed_at: datetime | None = timestamp_field()


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    action: str = Field(max_length=64, index=True)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = json_field(dict)
    client_ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = created_at_field(index=True)


class AuditLogPublic(SQLModel):
    id: int
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    client_ip: str | None
    created_at: datetime


class AppSetting(SQLModel, table=True):
    """A workspace-wide switch or value an admin sets in the app (not a secret)."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_type=JSONType, nullable=True)
    updated_at: datetime = created_at_field()
