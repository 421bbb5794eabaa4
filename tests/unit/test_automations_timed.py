"""Time-based rules (birthdays, idle conversations): swept by a job row any worker claims; a
birthday in each contact's time zone once a year, a quiet stretch once; late (not never) after
downtime, and never twice however many workers or retries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from aisha_app.automations import birthdays, idle, timed
from aisha_app.background.handlers import HANDLERS
from aisha_app.background.worker import Worker, schedule_timed_rules
from aisha_app.config import get_settings
from aisha_app.models import Automation, Contact, Conversation, Job, JobStatus, Message, MessageTemplate
from aisha_app.models.base import utcnow
from tests.unit.support import (
    AGENT_PASSWORD,
    customer_writes,
    login,
    make_due,
    run_jobs,
    sent_to,
)
from tests.unit.test_automations import PHONE, rule, runs, tags, whatsapp_customer_wrote_30_hours_ago


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def born(session, contact: Contact, month: int, day: int, zone: str | None = None) -> Contact:
    contact.birthday_month, contact.birthday_day, contact.timezone = month, day, zone
    session.add(contact)
    session.commit()
    return contact


def birthday_rule(client, owner, *, at_time: str = "09:00", days_before: int = 0, **fields) -> dict:
    trigger = {"type": "birthday", "at": at_time, "days_before": days_before}
    return rule(client, owner, trigger=trigger, actions=[{"type": "add_tag", "tag": "birthday"}], **fields)


def sweeps(session) -> list[Job]:
    session.expire_all()
    return list(session.exec(select(Job).where(Job.kind == "automation_sweep").order_by(Job.id)).all())


def due(session, rule_id: int, since: str, now: str) -> list[tuple[str, str]]:
    session.expire_all()
    found = birthdays.due(session, session.get(Automation, rule_id), at(since), at(now))
    return sorted((session.get(Contact, e.contact_id).name, moment.isoformat()) for e, moment in found)


def test_each_contact_is_greeted_at_the_rules_hour_in_their_own_time_zone(client, owner, session, world):
    wanjiru, amina = world.contacts
    born(session, wanjiru, 3, 15, "Africa/Nairobi")
    born(session, amina, 3, 15, "America/New_York")
    created = birthday_rule(client, owner)
    # 09:00 in Nairobi is 06:00 UTC; in New York (summer time from 14 March 2027) 13:00 UTC.
    assert due(session, created["id"], "2027-03-15T05:00", "2027-03-15T06:00") == [
        ("Wanjiru", "2027-03-15T06:00:00+00:00")
    ]
    assert due(session, created["id"], "2027-03-15T06:00", "2027-03-15T12:59") == []
    assert due(session, created["id"], "2027-03-15T12:59", "2027-03-15T13:00") == [
        ("Amina", "2027-03-15T13:00:00+00:00")
    ]


def test_a_contact_without_a_time_zone_is_greeted_in_the_shops(client, owner, session, world):
    born(session, world.contacts[0], 7, 1)
    created = birthday_rule(client, owner, at_time="08:30")
    shop = birthdays.shop_zone(session)
    expected = datetime(2027, 7, 1, 8, 30, tzinfo=shop).astimezone(UTC)
    found = due(session, created["id"], "2027-06-29T00:00", "2027-07-03T00:00")
    assert found == [("Wanjiru", expected.isoformat())]


def test_29_february_is_celebrated_on_28_february_in_other_years(client, owner, session, world):
    born(session, world.contacts[0], 2, 29, "Africa/Nairobi")
    created = birthday_rule(client, owner)
    assert due(session, created["id"], "2027-02-27T00:00", "2027-03-02T00:00") == [
        ("Wanjiru", "2027-02-28T06:00:00+00:00")
    ]
    assert due(session, created["id"], "2028-02-27T00:00", "2028-03-02T00:00") == [
        ("Wanjiru", "2028-02-29T06:00:00+00:00")  # a leap year: the day itself, not the 28th
    ]
    assert birthdays.celebrated(2, 29, 2027).isoformat() == "2027-02-28"


def test_days_before_greets_ahead_and_a_deleted_contact_is_not_greeted(client, owner, session, world):
    wanjiru, amina = world.contacts
    born(session, wanjiru, 1, 1, "Africa/Nairobi")
    born(session, amina, 1, 1, "Africa/Nairobi")
    amina.deleted_at = utcnow()
    session.add(amina)
    session.commit()
    created = birthday_rule(client, owner, days_before=2)
    assert due(session, created["id"], "2026-12-29T00:00", "2026-12-31T00:00") == [
        ("Wanjiru", "2026-12-30T06:00:00+00:00")  # across the new year
    ]


def test_saving_a_birthday_rule_queues_its_sweep_at_a_moment_the_hour_can_be_reached(
    client, owner, session, world
):
    created = birthday_rule(client, owner, at_time="09:10")
    (job,) = sweeps(session)
    assert job.status == JobStatus.QUEUED
    assert job.run_after.minute % 15 == 10 and job.run_after.second == 0
    assert timedelta(0) < job.run_after.replace(tzinfo=UTC) - utcnow() <= timedelta(minutes=15)
    # Another hour: the same queued sweep, moved; switched off: the sweep is parked when it comes.
    client.patch(
        f"/api/automations/{created['id']}",
        json={"trigger": {"type": "birthday", "at": "09:00"}},
        headers=owner,
    )
    (job,) = sweeps(session)
    assert job.run_after.minute % 15 == 0
    client.patch(f"/api/automations/{created['id']}", json={"is_active": False}, headers=owner)
    make_due(session)
    run_jobs()
    (parked,) = sweeps(session)
    assert parked.status == JobStatus.QUEUED and parked.payload["parked"]
    assert parked.run_after.replace(tzinfo=UTC) - utcnow() <= timed.PARKED
    client.patch(f"/api/automations/{created['id']}", json={"is_active": True}, headers=owner)
    (job,) = sweeps(session)  # the same row, at the rule's next moment, from now on
    assert job.id == parked.id and not job.payload["parked"] and job.run_after.minute % 15 == 0
    assert utcnow() - datetime.fromisoformat(job.payload["since"]) < timedelta(seconds=5)
    client.delete(f"/api/automations/{created['id']}", headers=owner)
    assert sweeps(session) == []  # deleted: its sweep goes with it


def test_a_rule_switched_on_while_its_sweep_sees_it_off_is_swept_again(
    client, owner, session, world, monkeypatch
):
    """The sweep reads the rule off; the owner switches it on before the sweep commits, finds the
    sweep running and trusts it to queue itself again: it does, parked, and the next look is on."""
    created = birthday_rule(client, owner)
    client.patch(f"/api/automations/{created['id']}", json={"is_active": False}, headers=owner)
    make_due(session)
    real = HANDLERS["automation_sweep"]

    def sweep_then_switch_on(worker_session, job):
        again = real(worker_session, job)  # it has read the rule: off
        switched = client.patch(f"/api/automations/{created['id']}", json={"is_active": True}, headers=owner)
        assert switched.status_code == 200
        assert [j.status for j in sweeps(session)] == [JobStatus.RUNNING]  # so the switch left it be
        return again

    monkeypatch.setitem(HANDLERS, "automation_sweep", sweep_then_switch_on)
    assert run_jobs() == 1
    (job,) = sweeps(session)
    assert job.status == JobStatus.QUEUED and job.payload["parked"]
    assert job.run_after.replace(tzinfo=UTC) - utcnow() <= timed.PARKED  # late, not never
    monkeypatch.setitem(HANDLERS, "automation_sweep", real)
    make_due(session)
    run_jobs()
    (job,) = sweeps(session)
    assert job.status == JobStatus.QUEUED and not job.payload["parked"]
    assert job.run_after.minute % 15 == 0  # on: at the rule's next moment


def sweep_as_if_last_run(session, hours_ago: float) -> None:
    """The queued sweep's previous look at the clock was this long ago (the workers were down),
    and it is due now."""
    (job,) = [j for j in sweeps(session) if j.status == JobStatus.QUEUED]
    job.payload = {**job.payload, "since": (utcnow() - timedelta(hours=hours_ago)).isoformat()}
    job.run_after = utcnow()
    session.add(job)
    session.commit()


def greeting_hour(hours_ago: float, zone: str = "UTC") -> tuple[int, int, str]:
    """A birthday and an hour that fell due ``hours_ago`` in ``zone``: (month, day, "HH:MM")."""
    moment = (utcnow() - timedelta(hours=hours_ago)).astimezone(ZoneInfo(zone))
    return moment.month, moment.day, moment.strftime("%H:%M")


def a_zone_past_two_in_the_morning() -> str:
    """A zone where an hour ago was today too, whenever the test runs."""
    return next(
        z for z in ("UTC", "Asia/Tokyo", "America/New_York") if utcnow().astimezone(ZoneInfo(z)).hour >= 2
    )


def test_the_sweep_is_a_row_a_restarted_worker_runs_late_not_never_and_once(
    client, owner, session, world, awake
):
    zone = a_zone_past_two_in_the_morning()
    month, day, hour = greeting_hour(1, zone)
    born(session, world.contacts[0], month, day, zone)
    created = birthday_rule(client, owner, at_time=hour)
    sweep_as_if_last_run(session, 3)  # the app was down from before the greeting until now
    run_jobs()  # a new worker process: what it knows is in the database
    assert tags(session) == ["birthday"]
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded"
    greeted_on = (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo(zone)).date()  # once a year
    assert run.event_key == f"birthday:{world.contacts[0].id}:{greeted_on.isoformat()}"
    queued = [j for j in sweeps(session) if j.status == JobStatus.QUEUED]
    assert len(queued) == 1 and queued[0].run_after.replace(tzinfo=UTC) > utcnow()  # the next one
    # The sweep retried from the same moment, a second look, and "run now": one run still.
    sweep_as_if_last_run(session, 3)
    run_jobs()
    assert client.post(f"/api/automations/{created['id']}/run-now", headers=owner).json() == {"queued": 1}
    run_jobs()
    assert len(runs(session, created["id"])) == 1
    assert tags(session) == ["birthday"]


def test_a_greeting_found_too_late_is_not_sent_and_its_run_says_why(client, owner, session, world, awake):
    wanjiru, amina = world.contacts
    month, day, hour = greeting_hour(20, "UTC")
    born(session, wanjiru, month, day, "UTC")
    created = birthday_rule(client, owner, at_time=hour)
    sweep_as_if_last_run(session, 30)  # down for 30 hours: the greeting was due 20 hours ago
    run_jobs()
    (run,) = runs(session, created["id"])
    assert run.status == "skipped"
    assert "too late" in run.error and f"more than {get_settings().automation_late_hours} hours" in run.error
    assert tags(session) == []


def test_two_workers_sweeping_at_once_greet_each_contact_once(client, owner, session, world, awake, stub):
    session.add(
        MessageTemplate(
            name="birthday_wish",
            language="en",
            channel="whatsapp_cloud",
            body="Happy birthday {{1}}! A gift waits for you in the shop.",
            variables=["name"],
            status="approved",
        )
    )
    session.commit()
    whatsapp_customer_wrote_30_hours_ago(client, session)  # outside the window: the template goes
    month, day, hour = greeting_hour(0.5, "Africa/Nairobi")
    born(session, world.contacts[0], month, day, "Africa/Nairobi")
    created = rule(
        client,
        owner,
        trigger={"type": "birthday", "at": hour},
        actions=[
            {
                "type": "send_text",
                "text": "Happy birthday!",
                "template": "birthday_wish",
                "variables": ["{{contact.first_name}}"],
            }
        ],
        options={"ignore_quiet_hours": True},
    )
    sweep_as_if_last_run(session, 2)

    def work(name: str) -> None:
        worker = Worker(name=name)
        for _ in range(20):
            worker.run_once()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    make_due(session)
    run_jobs()
    assert sent_to(session, PHONE).count("Happy birthday Wanjiru! A gift waits for you in the shop.") == 1
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded", run.steps
    assert len([j for j in sweeps(session) if j.status == JobStatus.QUEUED]) == 1


def test_a_worker_starting_queues_a_missing_sweep(client, owner, session, world):
    created = birthday_rule(client, owner)
    session.exec(sa.delete(Job).where(Job.kind == "automation_sweep"))  # parked dead and cleared, say
    session.commit()
    schedule_timed_rules()
    (job,) = sweeps(session)
    assert job.payload["rule"] == created["id"] and job.status == JobStatus.QUEUED


def test_run_now_is_for_time_based_rules_that_are_on_and_for_admins(client, owner, session, world):
    keyword = rule(client, owner)
    answer = client.post(f"/api/automations/{keyword['id']}/run-now", headers=owner)
    assert answer.status_code == 422 and "time-based" in answer.json()["error"]["message"]
    birthday = birthday_rule(client, owner, is_active=False)
    answer = client.post(f"/api/automations/{birthday['id']}/run-now", headers=owner)
    assert answer.status_code == 422 and "Switch the rule on" in answer.json()["error"]["message"]
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.post(f"/api/automations/{birthday['id']}/run-now", headers=agent).status_code == 403


@pytest.mark.parametrize("bad", ["9:00", "24:00", "09:60", "nine"])
def test_a_birthday_hour_must_be_a_time(client, owner, bad):
    answer = client.post(
        "/api/automations",
        json={"name": "x", "trigger": {"type": "birthday", "at": bad}, "actions": [{"type": "stop"}]},
        headers=owner,
    )
    assert answer.status_code == 422
    assert "trigger" in answer.text and "at" in answer.text


# Idle conversations: quiet stretches, each firing once.


def conversation_of(session, phone: str = PHONE) -> Conversation:
    session.expire_all()
    return session.exec(
        select(Conversation)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Contact.phone_e164 == phone)
    ).one()


def staff_took_over(session) -> Conversation:
    """Wanjiru wrote; a person took over, so the assistant stays quiet from now on."""
    customer_writes(session, PHONE, "Habari, do you have boots in size 44?")
    conversation = conversation_of(session)
    conversation.ai_enabled = False
    session.add(conversation)
    session.commit()
    return conversation


def idle_due(session, trigger: dict, now: datetime) -> list[str]:
    """What an idle rule with this trigger would queue at ``now`` (a rule that never ran)."""
    draft = Automation(id=10**6, name="draft", trigger_type="idle", trigger_config=trigger)
    return [event.key for event, _ in idle.due(session, draft, now, now)]


def last_from_customer(session) -> datetime:
    session.expire_all()
    return session.exec(
        select(Message.created_at).where(Message.direction == "inbound").order_by(Message.id.desc())
    ).first()


def test_a_customer_nobody_answered_waits_from_their_first_unanswered_message(client, owner, session, world):
    conversation = staff_took_over(session)
    customer_writes(session, PHONE, "Hello? Anyone there?")
    asked = last_from_customer(session)
    trigger = {"type": "idle", "waiting_for": "staff", "minutes": 30}
    minute = timedelta(minutes=1)
    key = f"idle:{conversation.id}:{asked.isoformat()}"
    assert idle_due(session, trigger, asked + 29 * minute) == []  # not yet
    assert idle_due(session, trigger, asked + 31 * minute) == [key]
    customer_writes(session, PHONE, "Hello??")  # writing again does not restart the clock
    assert idle_due(session, trigger, asked + 31 * minute) == [key]
    late = timedelta(hours=get_settings().automation_late_hours, minutes=2)
    assert idle_due(session, trigger, asked + 30 * minute + late) == []  # past what a sweep still does
    # Waiting for the customer instead: we have not written since, so nothing waits on them.
    assert idle_due(session, {**trigger, "waiting_for": "customer"}, asked + 90 * minute) == []
    reply = {"text": "Yes, we have size 44 in black."}
    assert (
        client.post(f"/api/conversations/{conversation.id}/messages", json=reply, headers=owner).status_code
        == 201
    )
    assert idle_due(session, trigger, asked + 31 * minute) == []  # answered


def test_a_customer_who_has_not_answered_us_is_due_and_an_automations_nudge_starts_no_new_wait(
    client, owner, session, world, awake
):
    conversation = staff_took_over(session)
    reply = {"text": "We have size 44. Shall I keep a pair for you?"}
    assert (
        client.post(f"/api/conversations/{conversation.id}/messages", json=reply, headers=owner).status_code
        == 201
    )
    created = rule(
        client,
        owner,
        trigger={"type": "idle", "waiting_for": "customer", "minutes": 60},
        actions=[
            {"type": "send_text", "text": "Still there, {{contact.first_name}}? The pair is kept till 6."}
        ],
    )
    an_hour_and_more_ago(session, conversation.id, minutes=70)
    sweep_as_if_last_run(session, 0.5)  # the wait ended 10 minutes ago, after the previous look
    run_jobs()
    make_due(session)
    run_jobs()
    assert sent_to(session, PHONE).count("Still there, Wanjiru? The pair is kept till 6.") == 1
    (run,) = runs(session, created["id"])
    assert (run.status, run.trigger, run.conversation_id) == ("succeeded", "idle", conversation.id)
    # The nudge is ours but an automation's: an hour later nothing has started a new wait.
    later = utcnow() + timedelta(hours=2)
    session.expire_all()
    assert idle.due(session, session.get(Automation, created["id"]), later, later) == []  # it ran
    assert idle_due(session, conversation_rule_trigger(session, created["id"]), later) == [run.event_key]


def conversation_rule_trigger(session, rule_id: int) -> dict:
    session.expire_all()
    return session.get(Automation, rule_id).trigger_config


def an_hour_and_more_ago(session, conversation_id: int, minutes: int) -> None:
    """Everything in the conversation happened ``minutes`` earlier than it did."""
    shift = timedelta(minutes=minutes)
    for message in session.exec(select(Message).where(Message.conversation_id == conversation_id)):
        message.created_at -= shift
        session.add(message)
    conversation = session.get(Conversation, conversation_id)
    conversation.last_inbound_at -= shift
    conversation.last_message_at -= shift
    session.add(conversation)
    session.commit()


def test_a_resolved_conversation_is_not_idle(client, owner, session, world):
    conversation = staff_took_over(session)
    asked = conversation_of(session).last_inbound_at
    assert (
        client.patch(
            f"/api/conversations/{conversation.id}", json={"status": "resolved"}, headers=owner
        ).status_code
        == 200
    )
    trigger = {"type": "idle", "waiting_for": "staff", "minutes": 5}
    assert idle_due(session, trigger, asked + timedelta(minutes=10)) == []


def test_an_idle_rules_sweep_looks_every_minute(client, owner, session, world):
    rule(client, owner, trigger={"type": "idle", "waiting_for": "staff", "minutes": 15})
    (job,) = sweeps(session)
    assert job.run_after.second == 0
    assert timedelta(0) < job.run_after.replace(tzinfo=UTC) - utcnow() <= timedelta(minutes=1)


# A date attribute's anniversary: as a birthday, from a contact's own date.


def test_a_date_attribute_comes_round_each_year_in_the_contacts_zone(session, world):
    from aisha_app.automations import anniversaries

    wanjiru, amina = world.contacts
    wanjiru.attributes, wanjiru.timezone = {"first_order": "2020-02-29"}, "Africa/Nairobi"
    amina.attributes, amina.timezone = (
        {"first_order": "2027-03-08"},
        "Africa/Nairobi",
    )  # this year's: not yet one
    session.add_all([wanjiru, amina])
    session.commit()
    rule = Automation(
        id=10**6,
        name="draft",
        trigger_type="date_anniversary",
        trigger_config={
            "type": "date_anniversary",
            "attribute": "first_order",
            "days_before": 0,
            "at": "09:00",
        },
    )

    def found(since: str, now: str) -> list[tuple[str, str]]:
        return sorted((e.key, m.isoformat()) for e, m in anniversaries.due(session, rule, at(since), at(now)))

    assert found("2027-02-27T00:00", "2027-03-10T00:00") == [
        (f"anniversary:first_order:{wanjiru.id}:2027-02-28", "2027-02-28T06:00:00+00:00")
    ]
    assert found("2028-02-27T00:00", "2028-03-10T00:00") == [
        (f"anniversary:first_order:{wanjiru.id}:2028-02-29", "2028-02-29T06:00:00+00:00"),
        (f"anniversary:first_order:{amina.id}:2028-03-08", "2028-03-08T06:00:00+00:00"),
    ]
