"""When a date attribute's anniversary rule fires: a contact's date attribute (``since`` =
2019-03-08, defined as a date) comes round, ``days_before`` it, at the rule's hour in the
contact's time zone, else the shop's; 29 February on 28 February in other years. Swept like
birthdays (``birthdays.next_look``), once a year per contact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.automations import birthdays
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.clock import shop_zone
from aisha_app.models import Automation, Contact

next_look = birthdays.next_look


def _value(contact: Contact, key: str) -> date | None:
    try:
        return date.fromisoformat(str((contact.attributes or {}).get(key)))
    except ValueError:
        return None


def _dates(session: Session, trigger: dict, start: datetime, end: datetime):
    """(contact, the day it comes round, its due moment, zone) for anniversaries from start to end."""
    key = trigger["attribute"]
    ahead = timedelta(days=trigger.get("days_before", 0))
    first, last = (start + ahead).date() - timedelta(days=1), (end + ahead).date() + timedelta(days=1)
    value = sa.cast(Contact.__table__.c.attributes[key].as_string(), sa.String)
    same_day = sa.or_(
        *[value.like(f"%-{m:02d}-{d:02d}") for m, d in birthdays.birthdays_between(first, last)]
    )
    shop = shop_zone(session)
    for contact in session.exec(select(Contact).where(col(Contact.deleted_at).is_(None), same_day)):
        since = _value(contact, key)
        if since is None:
            continue
        zone = birthdays.zone_of(contact, shop)
        for year in {first.year, last.year}:
            if year <= since.year:
                continue  # the date itself is no anniversary
            day = birthdays.celebrated(since.month, since.day, year)
            moment = datetime.combine(day - ahead, birthdays.at_time(trigger), tzinfo=zone).astimezone(UTC)
            yield contact, day, moment, zone


def _event(trigger: dict, contact: Contact, day: date, moment: datetime) -> tuple[TriggerEvent, datetime]:
    key = trigger["attribute"]
    event = TriggerEvent(
        event=Event.ANNIVERSARY,
        key=f"anniversary:{key[:40]}:{contact.id}:{day.isoformat()}",
        contact_id=contact.id,
        data={"attribute": key, "date": day.isoformat(), "due_at": moment.isoformat()},
    )
    return event, moment


def due(
    session: Session, rule: Automation, since: datetime, now: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    trigger = rule.trigger_config
    return [
        _event(trigger, contact, day, moment)
        for contact, day, moment, _ in _dates(session, trigger, since, now)
        if since < moment <= now
    ]


def today(session: Session, rule: Automation, now: datetime) -> list[tuple[TriggerEvent, datetime]]:
    trigger = rule.trigger_config
    return [
        _event(trigger, contact, day, moment)
        for contact, day, moment, zone in _dates(session, trigger, now, now)
        if moment.astimezone(zone).date() == now.astimezone(zone).date()
    ]
