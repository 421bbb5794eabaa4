"""When a birthday rule greets whom: in the contact's time zone (else the shop's), ``days_before``
the day, at the rule's hour; 29 February on 28 February in other years."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.clock import shop_zone
from aisha_app.models import Automation, Contact

STEP_MINUTES = 15  # every UTC offset is a whole number of quarter hours


def celebrated(month: int, day: int, year: int) -> date:
    """The day a birthday is celebrated in ``year``: 29 February on 28 February in other years."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def zone_of(contact: Contact, shop: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(contact.timezone) if contact.timezone else shop
    except (ZoneInfoNotFoundError, ValueError):
        return shop


def at_time(trigger: dict) -> time:
    hours, minutes = (int(part) for part in trigger.get("at", "09:00").split(":"))
    return time(hours, minutes)


def greeting_due(contact: Contact, trigger: dict, zone: ZoneInfo, year: int) -> tuple[date, datetime]:
    """This year's greeting for the contact: the birthday it is for, and the UTC moment it is due."""
    birthday = celebrated(contact.birthday_month, contact.birthday_day, year)
    day = birthday - timedelta(days=trigger.get("days_before", 0))
    return birthday, datetime.combine(day, at_time(trigger), tzinfo=zone).astimezone(UTC)


def next_look(session: Session, trigger: dict, after: datetime) -> datetime:
    """The first UTC moment after ``after`` when the rule's hour can be reached in some zone: a
    greeting at 09:10 is due at some UTC hh:10, :25, :40 or :55, so sweeps then are never late."""
    minute = at_time(trigger).minute % STEP_MINUTES
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return t + timedelta(minutes=(minute - t.minute) % STEP_MINUTES)


def birthdays_between(start: date, end: date) -> list[tuple[int, int]]:
    """The (month, day) pairs whose celebration falls from ``start`` to ``end``."""
    pairs, day = set(), start
    while day <= end:
        pairs.add((day.month, day.day))
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            pairs.add((2, 29))
        day += timedelta(days=1)
    return sorted(pairs)


def _greetings(session: Session, trigger: dict, start: datetime, end: datetime):
    """(contact, birthday, due moment, zone) for greetings that may fall from ``start`` to ``end``."""
    ahead = timedelta(days=trigger.get("days_before", 0))
    # Local days run from UTC-12 to UTC+14: a day either side covers every zone.
    first, last = (start + ahead).date() - timedelta(days=1), (end + ahead).date() + timedelta(days=1)
    same_day = sa.or_(
        *[
            sa.and_(col(Contact.birthday_month) == m, col(Contact.birthday_day) == d)
            for m, d in birthdays_between(first, last)
        ]
    )
    shop = shop_zone(session)
    for contact in session.exec(select(Contact).where(col(Contact.deleted_at).is_(None), same_day)):
        zone = zone_of(contact, shop)
        for year in {first.year, last.year}:
            birthday, moment = greeting_due(contact, trigger, zone, year)
            yield contact, birthday, moment, zone


def _event(contact: Contact, birthday: date, moment: datetime) -> tuple[TriggerEvent, datetime]:
    event = TriggerEvent(
        event=Event.BIRTHDAY,
        key=f"birthday:{contact.id}:{birthday.isoformat()}",  # once a year
        contact_id=contact.id,
        data={"birthday": birthday.isoformat(), "due_at": moment.isoformat()},
    )
    return event, moment


def due(
    session: Session, rule: Automation, since: datetime, now: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    """The greetings that fell due in (since, now], each with its moment."""
    trigger = rule.trigger_config
    return [
        _event(contact, birthday, moment)
        for contact, birthday, moment, _ in _greetings(session, trigger, since, now)
        if since < moment <= now
    ]


def today(session: Session, rule: Automation, now: datetime) -> list[tuple[TriggerEvent, datetime]]:
    """The greetings due on the contact's today, whatever the hour (run now)."""
    trigger = rule.trigger_config
    return [
        _event(contact, birthday, moment)
        for contact, birthday, moment, zone in _greetings(session, trigger, now, now)
        if moment.astimezone(zone).date() == now.astimezone(zone).date()
    ]
