"""Rules the clock fires (birthdays, idle conversations), swept by a job per rule that any worker
claims.

The sweep is a row in the jobs table (``automation_sweep``, one per rule by its dedupe key,
queued again after each look), not a timer in memory: it survives a restart and runs late, not
never, after downtime. Each look asks the trigger's module (``birthdays``, ``idle``) what fell
due since the previous look and queues the rule for each under the event's key (a contact's
birthday and year, a conversation's quiet stretch): the rule's run is unique on it, so a retried
sweep, a second worker or "run now" fires once. Something due longer ago than
``AUTOMATION_LATE_HOURS`` is not done; its run says why. A rule switched off keeps its sweep,
parked (see ``PARKED``); a deleted rule's goes with it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.automations import anniversaries, birthdays, idle, schedules
from aisha_app.automations.rules import TIMED
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.config import get_settings
from aisha_app.errors import AppError
from aisha_app.models import Automation, AutomationRun, Job, JobStatus, RunStatus
from aisha_app.models.base import utcnow

log = logging.getLogger("aisha.automations")

# After a longer outage, what fell due earlier is neither done nor logged.
LOOK_BACK = timedelta(days=7)
# A rule switched off (or no longer time-based) keeps its sweep, looking this often and doing
# nothing: were it to end, a rule switched on again while it ended could be left with none.
PARKED = timedelta(minutes=5)
KINDS = {"birthday": birthdays, "idle": idle, "schedule": schedules, "date_anniversary": anniversaries}
assert set(KINDS) == TIMED


def sweep_key(rule_id: int) -> str:
    return f"automation-sweep:{rule_id}"


def _queue(session: Session, rule: Automation, event: TriggerEvent) -> None:
    # Many attempts: the clock's look has moved on, so a run whose job died is never queued again.
    jobs.enqueue(session, JobKind.AUTOMATION, {"event": asdict(event), "rules": [rule.id]}, max_attempts=20)


def _too_late(
    session: Session, rule: Automation, event: TriggerEvent, moment: datetime, now: datetime
) -> None:
    """Found too late: logged as skipped (once), not done."""
    hours = get_settings().automation_late_hours
    run = AutomationRun(
        automation_id=rule.id,
        event_key=event.key,
        trigger=event.event,
        contact_id=event.contact_id,
        conversation_id=event.conversation_id,
        status=RunStatus.SKIPPED,
        trigger_event=asdict(event),
        error=(
            f"too late: it was due at {moment:%Y-%m-%d %H:%M} UTC and the sweep ran at {now:%Y-%m-%d %H:%M} "
            f"UTC (nothing more than {hours} hours late is done)"
        ),
        finished_at=now,
    )
    try:
        with session.begin_nested():
            session.add(run)
    except sa.exc.IntegrityError:
        pass  # handled already


def fire(session: Session, rule: Automation, since: datetime, now: datetime) -> tuple[int, int]:
    """Queue the rule for everything due in (since, now]; (queued, too late)."""
    late_after = timedelta(hours=get_settings().automation_late_hours)
    queued = late = 0
    found = KINDS[rule.trigger_type].due(session, rule, max(since, now - LOOK_BACK), now)
    for event, moment in found:
        if now - moment > late_after:
            _too_late(session, rule, event, moment, now)
            late += 1
        else:
            _queue(session, rule, event)
            queued += 1
    return queued, late


def run_now(session: Session, rule: Automation, now: datetime | None = None) -> int:
    """Queue the rule for whoever is due today (a birthday today in the contact's time zone,
    whatever the hour; a conversation quiet long enough since the shop's midnight): the sweep's
    keys, so nobody gets it twice."""
    if rule.trigger_type not in TIMED:
        raise AppError(
            "not_time_based", "Run now is for time-based rules (a birthday, an idle conversation).", 422
        )
    if not rule.is_active:
        raise AppError("rule_off", "Switch the rule on first: a rule that is off does not run.", 422)
    found = KINDS[rule.trigger_type].today(session, rule, now or utcnow())
    for event, _ in found:
        _queue(session, rule, event)
    return len(found)


def schedule(session: Session, rule: Automation, now: datetime | None = None) -> Job | None:
    """Make sure an active time-based rule has its next sweep queued, at the right moment for its
    trigger (after an edit, too); None for other rules. In the caller's transaction."""
    if not rule.is_active or rule.trigger_type not in TIMED:
        return None
    now = now or utcnow()
    job = session.exec(select(Job).where(Job.dedupe_key == sweep_key(rule.id))).first()
    if job is None:
        return _queue_sweep(session, rule, now)
    if job.status == JobStatus.QUEUED:
        if job.payload.get("parked"):  # it was off: from now on, not what fell due meanwhile
            job.payload = {**job.payload, "since": now.isoformat(), "parked": False}
        job.run_after = KINDS[rule.trigger_type].next_look(session, rule.trigger_config, now)
        session.add(job)
    return job  # a running sweep queues itself again (within PARKED if it saw the rule off)


def _queue_sweep(session: Session, rule: Automation, since: datetime) -> Job:
    job = Job(
        kind=JobKind.AUTOMATION_SWEEP,
        payload={"rule": rule.id, "since": since.isoformat()},
        max_attempts=1000,  # a sweep that keeps failing must not end a rule's runs
        run_after=KINDS[rule.trigger_type].next_look(session, rule.trigger_config, since),
        dedupe_key=sweep_key(rule.id),
    )
    try:
        with session.begin_nested():
            session.add(job)
    except sa.exc.IntegrityError:  # another process queued it a moment ago
        return session.exec(select(Job).where(Job.dedupe_key == sweep_key(rule.id))).one()
    return job


def schedule_all(session: Session) -> int:
    """Every active time-based rule's sweep, queued if it is missing (at a worker's start)."""
    by_clock = col(Automation.trigger_type).in_(TIMED)
    rules = session.exec(select(Automation).where(Automation.is_active, by_clock))
    return sum(schedule(session, rule) is not None for rule in rules)


@handler(JobKind.AUTOMATION_SWEEP)
def _sweep_job(session: Session, job: Job) -> datetime | None:
    """One look at the clock; returns when the same job looks again (None: the rule is deleted)."""
    rule = session.get(Automation, job.payload["rule"])
    if rule is None:
        return None
    now = utcnow()
    if not rule.is_active or rule.trigger_type not in TIMED:  # parked: see PARKED
        job.payload = {**job.payload, "since": now.isoformat(), "parked": True}
        return now + PARKED
    queued, late = fire(session, rule, datetime.fromisoformat(job.payload["since"]), now)
    if queued or late:
        log.info("automation %s: %s run(s) queued, %s too late", rule.id, queued, late)
    job.payload = {**job.payload, "since": now.isoformat(), "parked": False}  # committed with its runs
    return KINDS[rule.trigger_type].next_look(session, rule.trigger_config, now)
