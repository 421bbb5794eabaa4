"""Automations over REST (Bearer JWT): staff read rules and their runs, admins create and change them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from aisha_app.actions import automations as rules
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.automations import engine, timed
from aisha_app.automations.rules import RuleIn, RulePatch, RulePublic
from aisha_app.models import Automation, AutomationRun, RunStatus
from aisha_app.models.numbers import MAX_ID, IdNumber

router = APIRouter(tags=["automations"])


class RunPublic(BaseModel):
    id: int
    automation_id: int
    trigger: str
    event_key: str
    contact_id: int | None
    conversation_id: int | None
    status: RunStatus
    trigger_event: dict[str, Any]
    conditions: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    error: str | None
    depth: int
    created_at: datetime
    finished_at: datetime | None


class DryRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: IdNumber | None = None
    conversation_id: IdNumber | None = None


class DryRunOut(BaseModel):
    """What the rule would do now: nothing was changed or sent."""

    would_run: bool
    # A keyword rule: whether the customer's last message would have started it, in words.
    trigger_check: str | None = None
    status: RunStatus
    reason: str | None
    conditions: list[dict[str, Any]]
    steps: list[dict[str, Any]]


@router.get("/api/automations", response_model=list[RulePublic])
def list_rules(user: CurrentUser, session: DbSession) -> list[RulePublic]:
    return rules.public(session, list(session.exec(select(Automation).order_by(col(Automation.id))).all()))


@router.post("/api/automations", response_model=RulePublic, status_code=201)
def create(body: RuleIn, admin: AdminUser, session: DbSession) -> RulePublic:
    """422 names the bad field: an unknown trigger, field or action, a regex that does not compile."""
    return rules.public(session, [rules.create_rule(session, body, admin)])[0]


@router.get("/api/automations/{rule_id}", response_model=RulePublic)
def read(rule_id: Id, user: CurrentUser, session: DbSession) -> RulePublic:
    return rules.public(session, [rules.rule_or_404(session, rule_id)])[0]


@router.patch("/api/automations/{rule_id}", response_model=RulePublic)
def change(rule_id: Id, body: RulePatch, admin: AdminUser, session: DbSession) -> RulePublic:
    return rules.public(session, [rules.change_rule(session, rule_id, body, admin)])[0]


@router.delete("/api/automations/{rule_id}", status_code=204)
def delete(rule_id: Id, admin: AdminUser, session: DbSession) -> Response:
    rules.delete_rule(session, rule_id, admin)
    return Response(status_code=204)


@router.post("/api/automations/{rule_id}/dry-run", response_model=DryRunOut)
def dry_run(rule_id: Id, body: DryRunIn, user: CurrentUser, session: DbSession) -> DryRunOut:
    """The rule tried on a contact or conversation as if its trigger had just happened: which
    conditions pass and what each action would do. Everything it did is rolled back."""
    rule = rules.rule_or_404(session, rule_id)
    try:
        run = engine.dry_run(session, rule, body.contact_id, body.conversation_id)
        out = DryRunOut(
            would_run=run.status != RunStatus.SKIPPED or bool(run.steps),
            trigger_check=run.trigger_event.get("check"),
            status=run.status,
            reason=run.error,
            conditions=list(run.conditions),
            steps=list(run.steps),
        )
    finally:
        session.rollback()
    return out


class RunNowOut(BaseModel):
    queued: int  # runs queued: one per contact due today, each running once


@router.post("/api/automations/{rule_id}/run-now", response_model=RunNowOut)
def run_now(rule_id: Id, admin: AdminUser, session: DbSession) -> RunNowOut:
    """A time-based rule evaluated now for whoever is due today, in their own time zone, whatever
    the hour; 422 for other rules. A contact already greeted this year is not greeted again."""
    rule = rules.rule_or_404(session, rule_id)
    return RunNowOut(queued=timed.run_now(session, rule))


@router.get("/api/automations/{rule_id}/runs", response_model=list[RunPublic])
def runs(
    rule_id: Id,
    user: CurrentUser,
    session: DbSession,
    status: RunStatus | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    before: int | None = Query(default=None, ge=1, le=MAX_ID, description="runs older than this run id"),
) -> list[AutomationRun]:
    """Newest first."""
    rules.rule_or_404(session, rule_id)
    return _runs(session, AutomationRun.automation_id == rule_id, status, limit, before)


@router.get("/api/automation-runs", response_model=list[RunPublic])
def all_runs(
    user: CurrentUser,
    session: DbSession,
    contact_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    status: RunStatus | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    before: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> list[AutomationRun]:
    where = AutomationRun.contact_id == contact_id if contact_id else None
    return _runs(session, where, status, limit, before)


def _runs(session, where, status, limit, before) -> list[AutomationRun]:
    query = select(AutomationRun)
    if where is not None:
        query = query.where(where)
    if status is not None:
        query = query.where(AutomationRun.status == status)
    if before is not None:
        query = query.where(AutomationRun.id < before)
    return list(session.exec(query.order_by(col(AutomationRun.id).desc()).limit(limit)).all())
