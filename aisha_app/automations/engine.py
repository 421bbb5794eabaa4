"""The automation engine: events in, rules run once each, every run logged.

An action that changes something (a message stored, a tag added, a stage moved) calls ``emit``
inside its own transaction. ``emit`` matches the event against the active rules' triggers, from
an in-process cache checked against the table on every call, and queues one job naming the
rules that matched; so the job exists only if the change commits. The job runs each rule:

- once per event: ``automation_runs`` is unique on (rule, event key), and the run row is written
  in the job's transaction with everything the rule did, so a retried webhook (stored once), a
  retried job or a second worker finds the row and does nothing;
- customer messages are stored and queued for sending in that same transaction (their send job
  has its own receipt), so a crash mid-run sends nothing and the retry sends once;
- events the run causes carry its depth + 1: past ``MAX_DEPTH`` a rule is stopped and the run
  says so (A adds a tag that triggers B, which triggers A ...).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.automations import conditions as checks
from aisha_app.automations import perform
from aisha_app.automations.rules import LISTENS_TO
from aisha_app.automations.text import fold, matcher
from aisha_app.automations.triggers import DEPTH, MAX_DEPTH, TriggerEvent
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.clock import span
from aisha_app.errors import AppError
from aisha_app.models import (
    Automation,
    AutomationRun,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageType,
    RunStatus,
)
from aisha_app.models.base import utcnow

log = logging.getLogger("aisha.automations")


@handler(JobKind.AUTOMATION)
def _run_job(session: Session, job) -> None:
    event = TriggerEvent(**job.payload["event"])
    for rule_id in job.payload["rules"]:
        rule = session.get(Automation, rule_id)
        if rule is not None and rule.is_active:
            run_rule(session, rule, event)
    session.flush()


def run_rule(
    session: Session, rule: Automation, event: TriggerEvent, *, dry: bool = False
) -> AutomationRun | None:
    """Run one rule for one event; None when it already ran for that event. ``dry`` writes no
    run row: the caller rolls everything back (the dry run)."""
    run = AutomationRun(
        automation_id=rule.id,
        event_key=event.key[:120],
        trigger=event.event,
        contact_id=event.contact_id,
        conversation_id=event.conversation_id,
        status=RunStatus.SUCCEEDED,
        trigger_event=asdict(event),
        depth=event.depth,
    )
    if not dry:
        try:
            with session.begin_nested():
                session.add(run)
        except sa.exc.IntegrityError:
            log.info("automation %s: already ran for %s", rule.id, event.key)
            return None
    world = perform.World.load(session, event)
    stopped = _stopped(session, rule, run, event)
    if stopped is None:
        run.conditions, passed = checks.evaluate(session, rule.conditions, world)
        if not passed:
            stopped = "its conditions were not met"
    if stopped is not None:
        return _finish(session, run, RunStatus.SKIPPED, stopped, dry)
    return _act(session, rule, run, world, event.depth, rule.actions, 0, [], dry)


def _act(
    session: Session,
    rule: Automation,
    run: AutomationRun,
    world: perform.World,
    depth: int,
    actions: list[dict[str, Any]],
    offset: int,
    steps: list[dict[str, Any]],
    dry: bool,
) -> AutomationRun:
    """Do ``actions`` (the rule's from ``offset`` on) and finish the run, or leave it waiting."""
    previous = session.info.get(DEPTH)
    session.info[DEPTH] = depth + 1  # what these actions cause carries the chain's length
    try:
        for index, spec in enumerate(actions, start=offset):
            if spec["type"] == "wait":
                steps.append({"index": index, "type": "wait", **_wait_step(spec, world.now, dry)})
                if dry:
                    continue  # the dry run shows what follows the wait too
                return _wait(session, run, steps, spec, actions[index - offset + 1 :], index + 1, world)
            step = perform.step(session, rule, world, spec, dry)
            if step["status"] == "held" and not dry:  # quiet hours: the rest goes when they end
                until = datetime.fromisoformat(step["until"])
                steps.append({"index": index, "type": "wait", "status": "waiting", "detail": step["detail"]})
                hold = {"minutes": max(1, int((until - world.now).total_seconds() // 60) + 1)}
                return _wait(session, run, steps, hold, actions[index - offset :], index, world)
            steps.append({"index": index, **step})
            if step["status"] == "stopped":
                break
    finally:
        if previous is None:
            session.info.pop(DEPTH, None)
        else:
            session.info[DEPTH] = previous
    run.steps = steps
    failed = [s for s in steps if s["status"] == "failed"]
    if failed:
        return _finish(
            session, run, RunStatus.FAILED, f"action {failed[0]['index'] + 1}: {failed[0]['detail']}", dry
        )
    if steps and all(s["status"] == "skipped" for s in steps):
        return _finish(session, run, RunStatus.SKIPPED, steps[0]["detail"], dry)
    perform.note_on_timeline(session, rule, world, steps, dry)
    return _finish(session, run, RunStatus.SUCCEEDED, None, dry)


CANCELLED_BY = {
    "customer_replied": "the customer replies",
    "staff_replied": "staff reply",
    "resolved": "the conversation is resolved",
}


def _wait_step(spec: dict[str, Any], now: datetime, dry: bool) -> dict[str, Any]:
    until = now + timedelta(minutes=spec["minutes"])
    unless = " or ".join(CANCELLED_BY[c] for c in spec.get("cancel_if") or [])
    said = f"{'would wait' if dry else 'waits'} {span(spec['minutes'])}, until {until:%Y-%m-%d %H:%M} UTC"
    return {
        "status": "done" if dry else "waiting",
        "detail": said + (f", unless {unless}" if unless else ""),
        "until": until.isoformat(),
    }


def _wait(
    session: Session,
    run: AutomationRun,
    steps: list[dict[str, Any]],
    spec: dict[str, Any],
    rest: list[dict[str, Any]],
    offset: int,
    world: perform.World,
) -> AutomationRun:
    """Leave the run waiting: the rest of its actions are a job row, due when the wait ends."""
    run.steps, run.status = steps, RunStatus.WAITING
    session.add(run)
    session.flush()
    conversation = world.conversation
    jobs.enqueue(
        session,
        JobKind.AUTOMATION_RESUME,
        {
            # The run by its id and what it is (SQLite may give a deleted run's id to a new one).
            "run": run.id,
            "rule": run.automation_id,
            "key": run.event_key,
            "actions": rest,  # as the rule was when it started: an edit meanwhile changes nothing
            "from": offset,
            "started_at": world.now.isoformat(),
            "cancel_if": spec.get("cancel_if") or [],
            "was_resolved": conversation is not None and conversation.status == ConversationStatus.RESOLVED,
        },
        delay=timedelta(minutes=spec["minutes"]),
        max_attempts=50,  # a wait that keeps failing ends as failed (_resume_dead), never silently
    )
    return run


def _waiting_run(session: Session, payload: dict[str, Any]) -> AutomationRun | None:
    """The run a resume job names, locked, if it still waits."""
    run = session.get(AutomationRun, payload["run"], with_for_update=True, populate_existing=True)
    if run is None or run.status != RunStatus.WAITING:
        return None  # done already (a retried job), or deleted with its rule
    if (run.automation_id, run.event_key) != (
        payload.get("rule", run.automation_id),
        payload.get("key", run.event_key),
    ):
        return None  # another run that has this id now
    return run


def _resume_dead(session: Session, job, error: str) -> None:
    run = _waiting_run(session, job.payload)
    if run is not None:
        run.steps = [*run.steps[:-1], {**run.steps[-1], "status": "failed", "detail": error[:500]}]
        _finish(session, run, RunStatus.FAILED, f"after its wait: {error[:300]}", False)


def _resume_replayed(session: Session, job) -> None:
    run = session.get(AutomationRun, job.payload["run"])
    if run is not None and run.status == RunStatus.FAILED and run.event_key == job.payload.get("key"):
        run.status, run.error, run.finished_at = RunStatus.WAITING, None, None
        session.add(run)


@handler(JobKind.AUTOMATION_RESUME, on_dead=_resume_dead, on_replay=_resume_replayed)
def _resume_job(session: Session, job) -> None:
    """A wait ended: go on with the rest of the run, or end it if what cancels it happened."""
    run = _waiting_run(session, job.payload)
    if run is None:
        return
    rule = session.get(Automation, run.automation_id)
    event = TriggerEvent(**run.trigger_event)
    world = perform.World.load(session, event)
    steps = list(run.steps)
    why = _cancelled(session, world, job.payload)
    if why is None and not rule.is_active:
        why = "the rule was switched off during the wait"
    if why is not None:
        steps[-1] = {**steps[-1], "status": "stopped", "detail": f"{why}: the rest was not done"}
        run.steps = steps
        perform.note_on_timeline(session, rule, world, steps, False)
        _finish(session, run, RunStatus.SKIPPED, why, False)
        return
    waited = datetime.fromisoformat(job.payload["started_at"])
    steps[-1] = {
        **steps[-1],
        "status": "done",
        "detail": f"waited {span(int((world.now - waited).total_seconds() // 60))}",
    }
    _act(session, rule, run, world, event.depth, job.payload["actions"], job.payload["from"], steps, False)


def _cancelled(session: Session, world: perform.World, payload: dict[str, Any]) -> str | None:
    conversation = world.conversation
    if conversation is None:
        return None
    started = datetime.fromisoformat(payload["started_at"])
    later = select(Message.id).where(Message.conversation_id == conversation.id, Message.created_at > started)
    for reason in payload.get("cancel_if") or []:
        if (
            reason == "customer_replied"
            and session.exec(later.where(Message.direction == MessageDirection.INBOUND)).first()
        ):
            return "the customer replied during the wait"
        if (
            reason == "staff_replied"
            and session.exec(
                later.where(
                    Message.direction == MessageDirection.OUTBOUND,
                    Message.type != MessageType.NOTE,
                    col(Message.sender_id).is_not(None),  # a person, not the assistant
                )
            ).first()
        ):
            return "staff replied during the wait"
        resolved = conversation.status == ConversationStatus.RESOLVED
        if reason == "resolved" and resolved and not payload.get("was_resolved"):
            return "the conversation was resolved during the wait"
    return None


def _stopped(session: Session, rule: Automation, run: AutomationRun, event: TriggerEvent) -> str | None:
    """Why this run must not act (a loop, once-only), or None."""
    if event.depth > MAX_DEPTH:
        return (
            f"stopped: caused by a chain of {event.depth} automations (at most {MAX_DEPTH} may follow "
            "one another), so a loop between rules ends here"
        )
    once = (rule.options or {}).get("once_per")
    subject = {"contact": run.contact_id, "conversation": run.conversation_id}.get(once)
    if once and subject is not None:
        column = AutomationRun.contact_id if once == "contact" else AutomationRun.conversation_id
        query = select(AutomationRun.id).where(
            AutomationRun.automation_id == rule.id,
            column == subject,
            col(AutomationRun.status).in_((RunStatus.SUCCEEDED, RunStatus.WAITING)),
        )
        if run.id is not None:
            query = query.where(AutomationRun.id != run.id)
        earlier = session.exec(query).first()
        if earlier is not None:
            return f"it runs once per {once}, and ran already (run {earlier})"
    return None


def _finish(
    session: Session, run: AutomationRun, status: RunStatus, error: str | None, dry: bool
) -> AutomationRun:
    run.status, run.error, run.finished_at = status, error, utcnow()
    if not dry:
        session.add(run)
        session.flush()
    return run


def keyword_check(rule: Automation, message_body: str | None) -> str | None:
    """For a keyword rule, whether the customer's last message would have started it, in words;
    None for other rules. The dry run runs the rule either way: this says if it would have."""
    trigger = rule.trigger_config or {}
    if rule.trigger_type != "keyword":
        return None
    body = message_body or ""
    found = matcher(trigger.get("keywords") or [], trigger.get("match", "word"))(body, fold(body))
    shown = body if len(body) <= 80 else body[:79] + "…"
    if found is not None:
        return f"✓ Their last message has the keyword {found!r}: {shown!r}"
    if not body:
        return "✗ They have written no message yet: a keyword would start the rule"
    return f"✗ Their last message has none of the keywords, so the rule would not start for it: {shown!r}"


def dry_run(
    session: Session, rule: Automation, contact_id: int | None, conversation_id: int | None
) -> AutomationRun:
    """What the rule would do for this customer now; the caller rolls the transaction back."""
    world = perform.World.for_subject(session, contact_id, conversation_id)
    if world.contact is None:
        raise AppError("nothing_to_try", "Choose a contact or a conversation to try the rule on.", 422)
    data: dict[str, Any] = {}
    if world.message is not None:
        data["body"] = world.message.body or ""
    event = TriggerEvent(
        event=LISTENS_TO.get(rule.trigger_type, rule.trigger_type),
        key=f"dry-run:{uuid.uuid4().hex}",
        contact_id=world.contact.id,
        conversation_id=world.conversation.id if world.conversation else None,
        message_id=world.message.id if world.message else None,
        data=data,
    )
    run = run_rule(session, rule, event, dry=True)
    check = keyword_check(rule, data.get("body") if world.message is not None else None)
    run.trigger_event = {**run.trigger_event, "check": check}  # the dry run's: never stored
    return run
