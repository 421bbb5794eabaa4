"""Admins keep the automation rules; every change is audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from aisha_app.actions.audit import audit
from aisha_app.automations import timed
from aisha_app.automations.rules import RuleIn, RulePatch, RulePublic
from aisha_app.errors import AppError, Forbidden, NotFound
from aisha_app.models import Automation, AutomationRun, Job, JobStatus, Role, RunStatus, Segment, User
from aisha_app.models.base import utcnow


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins create and change automations.")


def _store(rule: Automation, data: dict[str, Any]) -> None:
    if "trigger" in data:
        rule.trigger_type, rule.trigger_config = data["trigger"]["type"], data["trigger"]
    for key in ("name", "conditions", "actions", "options", "is_active"):
        if key in data:
            setattr(rule, key, data[key])
    rule.updated_at = utcnow()


def _segment_known(session: Session, trigger: dict[str, Any] | None) -> None:
    if trigger and trigger.get("type") == "schedule" and session.get(Segment, trigger["segment"]) is None:
        raise AppError(
            "unknown_segment",
            f"Segment {trigger['segment']} does not exist.",
            422,
            details=[{"field": "trigger.segment", "message": "no such segment"}],
        )


def create_rule(session: Session, body: RuleIn, actor: User) -> Automation:
    _admin(actor)
    _segment_known(session, body.model_dump(mode="json")["trigger"])
    rule = Automation(name=body.name, trigger_type=body.trigger.type, created_by_id=actor.id)
    _store(rule, body.model_dump(mode="json"))
    session.add(rule)
    session.flush()
    audit(session, actor, "automation.created", rule, name=rule.name)
    timed.schedule(session, rule)
    return rule


def change_rule(session: Session, rule_id: int, body: RulePatch, actor: User) -> Automation:
    _admin(actor)
    rule = rule_or_404(session, rule_id)
    data = body.model_dump(mode="json", exclude_unset=True)
    _segment_known(session, data.get("trigger"))
    _store(rule, {k: v for k, v in data.items() if v is not None})
    session.add(rule)
    session.flush()
    audit(session, actor, "automation.changed", rule, fields=sorted(data))
    timed.schedule(session, rule)  # a birthday rule switched on, or its hour changed
    return rule


def delete_rule(session: Session, rule_id: int, actor: User) -> None:
    _admin(actor)
    rule = rule_or_404(session, rule_id)
    audit(session, actor, "automation.deleted", rule, name=rule.name)
    # Its queued sweep goes with it: a new rule given this id (SQLite reuses ids) starts afresh.
    session.exec(
        sa.delete(Job).where(Job.dedupe_key == timed.sweep_key(rule.id), Job.status == JobStatus.QUEUED)
    )
    session.delete(rule)
    session.flush()


def rule_or_404(session: Session, rule_id: int) -> Automation:
    rule = session.get(Automation, rule_id)
    if rule is None:
        raise NotFound("Automation")
    return rule


def public(session: Session, rules: list[Automation]) -> list[RulePublic]:
    """The rules with how often each ran, failed, and when it last ran."""
    ids = [r.id for r in rules]
    stats = (
        {
            row[0]: row[1:]
            for row in session.exec(
                select(
                    AutomationRun.automation_id,
                    func.count(AutomationRun.id),
                    func.sum(sa.case((AutomationRun.status == RunStatus.FAILED, 1), else_=0)),
                    func.max(AutomationRun.created_at),
                )
                .where(col(AutomationRun.automation_id).in_(ids))
                .group_by(AutomationRun.automation_id)
            ).all()
        }
        if ids
        else {}
    )
    out = []
    for r in rules:
        runs, failures, last = stats.get(r.id, (0, 0, None))
        out.append(
            RulePublic(
                id=r.id,
                name=r.name,
                trigger=r.trigger_config,
                conditions=r.conditions or {},
                actions=r.actions,
                options=r.options or {},
                is_active=r.is_active,
                created_at=r.created_at,
                updated_at=r.updated_at,
                runs=runs or 0,
                failures=int(failures or 0),
                last_run_at=last,
            )
        )
    return out
