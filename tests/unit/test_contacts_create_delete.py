"""Adding contacts over REST (any phone format, one contact a number), deleting them (admins;
the history stays) and finding them by tag, stage, label and opt-out."""

from __future__ import annotations

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Conversation, Message
from tests.unit.support import AGENT_PASSWORD, customer_writes, login


@pytest.fixture
def agent(client, world) -> dict[str, str]:
    return login(client, "agent@shop.test", AGENT_PASSWORD)


@pytest.mark.parametrize("typed", ["0722 000 111", "0722000111", "254722000111", "+254 722 000 111"])
def test_a_contact_is_added_with_the_phone_as_people_type_it(client, agent, session, typed):
    body = {"name": "Baraka", "phone_number": typed, "tags": ["walk-in", " vip "], "language": "sw"}
    response = client.post("/api/contacts", json=body, headers=agent)
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["phone_e164"], created["tags"], created["language"]) == (
        "+254722000111",
        ["vip", "walk-in"],
        "sw",
    )
    again = client.post("/api/contacts", json={"name": "B.", "phone_number": "0722-000-111"}, headers=agent)
    assert again.status_code == 409
    assert again.json()["error"]["details"]["id"] == created["id"]
    assert len(session.exec(select(Contact).where(Contact.phone_e164 == "+254722000111")).all()) == 1


def test_a_number_already_known_from_whatsapp_is_a_409_naming_that_contact(client, agent, session, world):
    response = client.post("/api/contacts", json={"name": "W", "phone_number": "0712 345 678"}, headers=agent)
    assert response.status_code == 409
    assert response.json()["error"]["details"]["id"] == world.contacts[0].id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone_number": "12"}, "phone_number"),
        ({"birthday_month": 2, "birthday_day": 31}, "birthday_year"),
        ({"birthday_month": 4, "birthday_day": 31, "birthday_year": 1990}, "birthday_year"),
        ({"birthday_month": 2, "birthday_day": 29, "birthday_year": 2001}, "birthday_year"),
        ({"birthday_day": 12}, "birthday_year"),
        ({"birthday_month": 13, "birthday_day": 1}, "birthday_month"),
        ({"timezone": "Nairobi"}, "timezone"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_contact_is_a_422_naming_the_field(client, agent, session, body, field):
    response = client.post(
        "/api/contacts", json={"name": "X", "phone_number": "0722000111"} | body, headers=agent
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field
    assert session.exec(select(Contact).where(Contact.phone_e164 == "+254722000111")).first() is None


def test_a_number_that_is_no_number_is_refused_clearly(client, agent):
    response = client.post("/api/contacts", json={"name": "X", "phone_number": "07 12"}, headers=agent)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_phone_number"


def test_birthdays_without_a_year_and_on_29_february(client, agent):
    leap = client.post(
        "/api/contacts",
        json={"name": "Leap", "phone_number": "0722000111", "birthday_month": 2, "birthday_day": 29},
        headers=agent,
    )
    assert leap.status_code == 201, leap.text
    assert (leap.json()["birthday_month"], leap.json()["birthday_day"], leap.json()["birthday_year"]) == (
        2,
        29,
        None,
    )
    url = f"/api/contacts/{leap.json()['id']}"
    refused = client.patch(url, json={"birthday_year": 2001}, headers=agent)  # not a leap year
    assert refused.status_code == 422
    assert "February has 28 days in 2001" in refused.json()["error"]["message"]
    assert client.patch(url, json={"birthday_year": 2000}, headers=agent).status_code == 200


def test_deleting_a_contact_keeps_the_history_as_a_deleted_contacts(client, owner, agent, session, world):
    customer_writes(session, "+254712345678", "Hello, I need boots")
    contact_id = world.contacts[0].id
    assert client.delete(f"/api/contacts/{contact_id}", headers=agent).status_code == 403
    assert client.delete(f"/api/contacts/{contact_id}", headers=owner).status_code == 204
    session.expire_all()
    gone = session.get(Contact, contact_id)
    assert (gone.name, gone.phone_e164, gone.whatsapp_id, gone.deleted_at is not None) == (
        None,
        None,
        None,
        True,
    )
    conversation = session.exec(select(Conversation).where(Conversation.contact_id == contact_id)).one()
    assert conversation.status == "resolved"
    assert "Hello, I need boots" in [m.body for m in session.exec(select(Message)).all()]
    thread = client.get(f"/api/conversations/{conversation.id}", headers=agent)
    assert thread.status_code == 200
    listed = client.get("/api/contacts", headers=agent).json()
    assert contact_id not in [c["id"] for c in listed["items"]]
    assert client.delete(f"/api/contacts/{contact_id}", headers=owner).status_code == 404
    assert (
        client.patch(f"/api/contacts/{contact_id}", json={"name": "Back"}, headers=owner).status_code == 409
    )
    # The same number writing again is a new customer.
    customer_writes(session, "+254712345678", "Hi again")
    new = session.exec(select(Contact).where(Contact.phone_e164 == "+254712345678")).one()
    assert new.id != contact_id


def test_contacts_are_found_by_tag_stage_label_and_opt_out(client, agent, session, world):
    wanjiru, amina = world.contacts
    client.patch(
        f"/api/contacts/{wanjiru.id}", json={"tags": ["vip", "boots"], "lead_label": "HOT"}, headers=agent
    )
    client.patch(f"/api/contacts/{amina.id}", json={"tags": ["boots"], "opted_out": True}, headers=agent)
    client.put(f"/api/leads/{amina.id}/stage", json={"stage": "QUALIFIED"}, headers=agent)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/contacts?{query}", headers=agent)
        assert response.status_code == 200, response.text
        return sorted(c["id"] for c in response.json()["items"])

    assert ids("tag=vip") == [wanjiru.id]
    assert ids("tag=boots") == sorted([wanjiru.id, amina.id])
    assert ids("tag=vi") == []  # a tag is matched whole
    assert ids("stage=QUALIFIED") == [amina.id]
    assert ids("label=HOT") == [wanjiru.id]
    assert ids("opted_out=true") == [amina.id]
    assert ids("opted_out=false&tag=boots") == [wanjiru.id]
    assert ids("q=amina&tag=boots") == [amina.id]
    assert client.get("/api/contacts?stage=SOMEDAY", headers=agent).status_code == 422
    assert client.get("/api/contacts?tag=boots", headers=agent).json()["total"] == 2


def test_a_time_zone_is_one_zoneinfo_knows_when_added_and_when_changed(client, agent):
    added = client.post(
        "/api/contacts",
        json={"name": "Zoned", "phone_number": "0722000112", "timezone": "Africa/Cairo"},
        headers=agent,
    )
    assert added.status_code == 201, added.text
    url = f"/api/contacts/{added.json()['id']}"
    refused = client.patch(url, json={"timezone": "Mars/Olympus_Mons"}, headers=agent)
    assert refused.status_code == 422
    assert "unknown time zone 'Mars/Olympus_Mons'" in refused.text
    assert client.get(url, headers=agent).json()["timezone"] == "Africa/Cairo"
    assert (
        client.patch(url, json={"timezone": "Asia/Kolkata"}, headers=agent).json()["timezone"]
        == "Asia/Kolkata"
    )
