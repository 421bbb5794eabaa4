"""Segments: saved filters of contacts with a live count; the opted out never count as reachable,
the deleted never count at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aisha_app.models import Contact, Conversation
from aisha_app.models.base import utcnow
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login


@pytest.fixture
def shop(session, world) -> list[Contact]:
    """Wanjiru and Amina of the world, and four more customers."""
    wanjiru, amina = world.contacts
    wanjiru.tags, wanjiru.attributes, wanjiru.last_seen_at = ["vip", "boots"], {"city": "Nakuru"}, utcnow()
    amina.tags, amina.birthday_month, amina.birthday_day = ["boots"], 3, 8
    amina.last_seen_at = utcnow() - timedelta(days=40)
    more = [
        Contact(
            name="Opted",
            phone_e164="+254700100001",
            tags=["vip"],
            opted_out=True,
            attributes={"city": "Nakuru"},
        ),
        Contact(name="Gone", phone_e164="+254700100002", tags=["vip"], deleted_at=utcnow()),
        Contact(name="Sized", phone_e164="+254700100003", attributes={"size": 42}, lead_stage="WON"),
        Contact(name="Plain", phone_e164="+254700100004", language="SW"),
    ]
    session.add_all([wanjiru, amina, *more])
    session.commit()
    session.add(Conversation(contact_id=amina.id, channel="messenger"))
    session.commit()
    return [wanjiru, amina, *more]


def counted(client, headers, **filters) -> tuple[int, int]:
    answer = client.post("/api/segments/count", json=filters, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["contacts"], answer.json()["reachable"]


def test_each_filter_counts_the_contacts_it_finds_and_who_may_be_messaged(client, owner, shop):
    assert counted(client, owner) == (5, 4)  # the deleted never count; the opted out are not reachable
    assert counted(client, owner, tags_all=["vip"]) == (2, 1)
    assert counted(client, owner, tags_all=["vip", "boots"]) == (1, 1)
    assert counted(client, owner, tags_any=["vip", "boots"]) == (3, 2)
    assert counted(client, owner, tags_none=["boots"]) == (3, 2)
    assert counted(client, owner, stage="WON") == (1, 1)
    assert counted(client, owner, language="sw") == (1, 1)
    assert counted(client, owner, channel="messenger") == (1, 1)
    assert counted(client, owner, seen_within_days=7) == (1, 1)
    assert counted(client, owner, not_seen_for_days=30) == (4, 3)  # never seen counts as silent
    assert counted(client, owner, birthday_month=3) == (1, 1)
    assert counted(client, owner, attributes={"city": "Nakuru"}) == (2, 1)
    assert counted(client, owner, attributes={"size": "42"}) == (1, 1)  # a number, compared as text


def test_admins_keep_segments_and_staff_read_their_live_counts(client, owner, session, shop):
    made = client.post(
        "/api/segments", json={"name": "VIP boots", "filters": {"tags_all": ["vip"]}}, headers=owner
    )
    assert made.status_code == 201, made.text
    segment = made.json()
    assert segment["count"] == {"contacts": 2, "reachable": 1}
    again = client.post("/api/segments", json={"name": "VIP boots"}, headers=owner)
    assert again.status_code == 409
    changed = client.patch(
        f"/api/segments/{segment['id']}", json={"filters": {"tags_any": ["boots"]}}, headers=owner
    )
    assert changed.json()["count"] == {"contacts": 2, "reachable": 2}
    shop[1].tags = []
    session.add(shop[1])
    session.commit()
    assert (
        client.get(f"/api/segments/{segment['id']}", headers=owner).json()["count"]["contacts"] == 1
    )  # live

    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert [s["name"] for s in client.get("/api/segments", headers=agent).json()] == ["VIP boots"]
    assert client.post("/api/segments", json={"name": "Mine"}, headers=agent).status_code == 403
    assert client.delete(f"/api/segments/{segment['id']}", headers=agent).status_code == 403
    owner = login(client, "owner@shop.test", ADMIN_PASSWORD)
    assert client.delete(f"/api/segments/{segment['id']}", headers=owner).status_code == 204
    assert client.get(f"/api/segments/{segment['id']}", headers=owner).status_code == 404


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"stage": "ASLEEP"}, "stage"),
        ({"birthday_month": 13}, "birthday_month"),
        ({"colour": "red"}, "colour"),
        ({"seen_within_days": 0}, "seen_within_days"),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(client, owner, filters, field):
    answer = client.post("/api/segments", json={"name": "x", "filters": filters}, headers=owner)
    assert answer.status_code == 422
    assert field in answer.text


def test_a_rule_may_ask_whether_the_contact_is_in_a_segment(client, owner, session, shop):
    from sqlmodel import select

    from aisha_app.models import AutomationRun
    from tests.unit.support import run_jobs

    client.post(
        "/api/segments", json={"name": "Nakuru", "filters": {"attributes": {"city": "Nakuru"}}}, headers=owner
    )
    made = client.post(
        "/api/automations",
        json={
            "name": "Nakuru VIPs",
            "trigger": {"type": "tag_added", "tag": "gold"},
            "conditions": {"all": [{"field": "contact.segments", "op": "contains", "value": "nakuru"}]},
            "actions": [{"type": "add_tag", "tag": "nakuru-gold"}],
        },
        headers=owner,
    )
    assert made.status_code == 201, made.text
    for contact in shop[:2]:  # Wanjiru lives in Nakuru, Amina does not
        client.patch(f"/api/contacts/{contact.id}", json={"tags": [*contact.tags, "gold"]}, headers=owner)
    run_jobs()
    session.expire_all()
    assert "nakuru-gold" in session.get(Contact, shop[0].id).tags
    assert "nakuru-gold" not in session.get(Contact, shop[1].id).tags
    logged = {r.contact_id: r.conditions[0]["actual"] for r in session.exec(select(AutomationRun))}
    assert logged == {shop[0].id: ["Nakuru"], shop[1].id: []}


# Schedules: a rule for a segment, every day, week or month at the shop's hour.


def test_a_schedule_occurs_at_the_shops_hour_on_its_days(session, world):
    from datetime import UTC, datetime

    from aisha_app.automations import schedules
    from aisha_app.clock import shop_zone

    zone = shop_zone(session)
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    weekly = schedules.occurrences(session, {"every": "week", "weekday": 4, "at": "10:30"}, start, end)
    assert [d.isoformat() for d, _ in weekly] == ["2027-03-05", "2027-03-12", "2027-03-19", "2027-03-26"]
    assert all(m.astimezone(zone).strftime("%H:%M") == "10:30" for _, m in weekly)
    monthly = schedules.occurrences(session, {"every": "month", "day": 28, "at": "08:00"}, start, end)
    assert [d.isoformat() for d, _ in monthly] == ["2027-03-28"]
    assert len(schedules.occurrences(session, {"every": "day", "at": "08:00"}, start, end)) == 31


def test_a_schedule_rule_greets_each_reachable_member_once_per_occurrence(
    client, owner, session, shop, monkeypatch
):
    from aisha_app.config import get_settings

    monkeypatch.setattr(get_settings(), "automation_late_hours", 72)  # none of the 30 hours is too late
    from datetime import UTC

    from sqlmodel import select

    from aisha_app.automations import schedules
    from aisha_app.models import Automation, AutomationRun, Job
    from tests.unit.support import run_jobs

    segment = client.post(
        "/api/segments", json={"name": "VIP", "filters": {"tags_any": ["vip"]}}, headers=owner
    ).json()
    unknown = client.post(
        "/api/automations",
        json={"name": "x", "trigger": {"type": "schedule", "segment": 999}, "actions": [{"type": "stop"}]},
        headers=owner,
    )
    assert unknown.status_code == 422 and "Segment 999 does not exist" in unknown.text
    made = client.post(
        "/api/automations",
        json={
            "name": "Friday VIP offer",
            "trigger": {"type": "schedule", "every": "day", "at": "09:00", "segment": segment["id"]},
            "actions": [{"type": "add_tag", "tag": "offer-sent"}],
        },
        headers=owner,
    )
    assert made.status_code == 201, made.text
    rule = session.get(Automation, made.json()["id"])
    sweep = session.exec(select(Job).where(Job.kind == "automation_sweep")).one()
    assert sweep.run_after.replace(tzinfo=UTC) == schedules.next_look(session, rule.trigger_config, utcnow())
    # The last look was 30 hours ago (the workers were down): one or two 09:00s fell due since.
    since = utcnow() - timedelta(hours=30)
    expected = schedules.occurrences(session, rule.trigger_config, since, utcnow())
    sweep.payload = {**sweep.payload, "since": since.isoformat()}
    sweep.run_after = utcnow()
    session.add(sweep)
    session.commit()
    run_jobs()
    session.expire_all()
    done = session.exec(select(AutomationRun).where(AutomationRun.automation_id == rule.id)).all()
    # The VIP who may be messaged, once an occurrence: never the opted out, never the deleted.
    assert {r.contact_id for r in done} == {shop[0].id}
    assert sorted(r.event_key for r in done) == [
        f"schedule:{shop[0].id}:{d.isoformat()}" for d, _ in expected
    ]
    assert "offer-sent" in session.get(Contact, shop[0].id).tags
    # Run now: today's occurrence for the members, and nobody twice.
    queued = client.post(f"/api/automations/{rule.id}/run-now", headers=owner).json()["queued"]
    assert queued == 1
    run_jobs()
    session.expire_all()
    again = session.exec(select(AutomationRun).where(AutomationRun.automation_id == rule.id)).all()
    assert len(again) == len({r.event_key for r in again})
