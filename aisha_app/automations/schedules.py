"""When a schedule rule fires: every day, week or month at its hour in the shop's time zone,
once for each reachable contact of its segment (key: the contact and the occurrence's date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.clock import shop_zone
from aisha_app.models import Automation, Segment
from aisha_app.queries.segments import SegmentFilters, members


def _is_day(trigger: dict, day: date) -> bool:
    every = trigger.get("every", "day")
    if every == "week":
        return day.weekday() == trigger.get("weekday", 0)
    if every == "month":
        return day.day == trigger.get("day", 1)
    return True


def occurrences(
    session: Session, trigger: dict, start: datetime, end: datetime
) -> list[tuple[date, datetime]]:
    """(the shop's date, the UTC moment) of each occurrence in (start, end]."""
    zone = shop_zone(session)
    hours, minutes = (int(part) for part in trigger.get("at", "09:00").split(":"))
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    found = []
    while day <= last:
        if _is_day(trigger, day):
            moment = datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)
            if start < moment <= end:
                found.append((day, moment))
        day += timedelta(days=1)
    return found


def next_look(session: Session, trigger: dict, after: datetime) -> datetime:
    """The next occurrence (within two months there always is one)."""
    ahead = occurrences(session, trigger, after, after + timedelta(days=62))
    return ahead[0][1] if ahead else after + timedelta(days=1)


def _events(
    session: Session, rule: Automation, day: date, moment: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    segment = session.get(Segment, rule.trigger_config["segment"])
    if segment is None:
        return []  # the segment was deleted: nobody is due
    contacts = session.exec(members(session, SegmentFilters.model_validate(segment.filters))).all()
    return [
        (
            TriggerEvent(
                event=Event.SCHEDULE,
                key=f"schedule:{contact_id}:{day.isoformat()}",
                contact_id=contact_id,
                data={"segment": segment.name, "due_at": moment.isoformat()},
            ),
            moment,
        )
        for contact_id in contacts
    ]


def due(
    session: Session, rule: Automation, since: datetime, now: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    """Every reachable member of the segment, for each occurrence in (since, now]."""
    return [
        due_one
        for day, moment in occurrences(session, rule.trigger_config, since, now)
        for due_one in _events(session, rule, day, moment)
    ]


def today(session: Session, rule: Automation, now: datetime) -> list[tuple[TriggerEvent, datetime]]:
    """Today's occurrence, whatever the hour (run now); nothing on a day it does not run."""
    zone = shop_zone(session)
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(UTC)
    return [
        due_one
        for day, moment in occurrences(
            session, rule.trigger_config, midnight - timedelta(seconds=1), midnight + timedelta(days=1)
        )
        for due_one in _events(session, rule, day, moment)
    ]
