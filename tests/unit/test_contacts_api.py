"""Editing a contact over REST: null only where a field may be empty, attributes merged key by
key, and no edit reaching the flags Aisha keeps for itself."""

from __future__ import annotations

import pytest

from aisha_app.actions.contacts import update_contact
from aisha_app.models import Contact, ContactUpdate
from tests.unit.support import AGENT_PASSWORD, login


@pytest.fixture
def agent(client, world) -> dict[str, str]:
    return login(client, "agent@shop.test", AGENT_PASSWORD)


@pytest.mark.parametrize("field", ["tags", "attributes", "opted_out"])
def test_null_for_a_field_that_cannot_be_empty_is_a_422_that_stores_nothing(
    client, agent, world, session, field
):
    contact = world.contacts[0]
    response = client.patch(
        f"/api/contacts/{contact.id}", json={"name": "Changed", field: None}, headers=agent
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"][0]["field"] == field
    session.expire_all()
    stored = session.get(Contact, contact.id)
    assert (stored.name, stored.tags, stored.attributes, stored.opted_out) == ("Wanjiru", [], {}, False)
    assert client.get("/api/contacts", headers=agent).status_code == 200


def test_null_empties_a_field_that_may_be_empty(client, agent, world):
    contact = world.contacts[1]
    response = client.patch(f"/api/contacts/{contact.id}", json={"language": None}, headers=agent)
    assert response.status_code == 200
    assert response.json()["language"] is None
    assert response.json()["name"] == "Amina"  # what was not sent is kept


def test_an_attributes_patch_merges_keys_and_null_removes_one(client, agent, world):
    url = f"/api/contacts/{world.contacts[0].id}"
    client.patch(url, json={"attributes": {"size": "42", "company": "Kazi"}}, headers=agent)
    response = client.patch(url, json={"attributes": {"size": "43", "company": None}}, headers=agent)
    assert response.status_code == 200
    assert response.json()["attributes"] == {"size": "43"}
    assert client.get(url, headers=agent).json()["attributes"] == {"size": "43"}


def test_editing_a_contact_never_reverts_a_label_staff_chose(client, agent, world):
    contact_id = world.contacts[0].id
    client.put(f"/api/leads/{contact_id}/label", json={"label": "HOT"}, headers=agent)
    for attributes in ({"vip": True}, {"label_set_by_staff": False}):
        response = client.patch(f"/api/contacts/{contact_id}", json={"attributes": attributes}, headers=agent)
        assert response.status_code == 200
    assert client.get(f"/api/contacts/{contact_id}", headers=agent).json()["attributes"] == {
        "vip": True,
        "label_set_by_staff": False,  # the customer's own data: Aisha's flag lives elsewhere
    }
    # A rescore (any stage change) keeps the label staff chose.
    card = client.put(f"/api/leads/{contact_id}/stage", json={"stage": "CONTACTED"}, headers=agent).json()
    assert card["label"] == "HOT"


def test_a_label_set_on_the_contact_sticks_like_one_set_on_the_board(client, agent, world, session):
    contact_id = world.contacts[0].id
    response = client.patch(f"/api/contacts/{contact_id}", json={"lead_label": "HOT"}, headers=agent)
    assert (response.status_code, response.json()["lead_label"]) == (200, "HOT")
    card = client.put(f"/api/leads/{contact_id}/stage", json={"stage": "CONTACTED"}, headers=agent).json()
    assert card["label"] == "HOT"
    cleared = client.patch(f"/api/contacts/{contact_id}", json={"lead_label": None}, headers=agent).json()
    assert cleared["lead_label"] == "COLD"  # null hands the label back to the score
    timeline = client.get(f"/api/activities/{contact_id}", headers=agent).json()
    assert [a["kind"] for a in timeline].count("label_change") == 2


def test_the_contacts_page_saves_through_the_same_checks(session, world):
    """The Reflex page builds a ContactUpdate too: a null it cannot send, and tags stay a list."""
    with pytest.raises(ValueError):
        ContactUpdate(tags=None)
    contact = update_contact(session, world.contacts[0].id, ContactUpdate(tags=[" vip ", ""]), world.agent)
    assert (contact.tags, contact.attributes) == (["vip"], {})


def test_a_long_contact_list_says_its_total_is_at_least(client, agent, world, monkeypatch):
    everyone = client.get("/api/contacts", headers=agent).json()
    assert (everyone["total"], everyone["total_exact"]) == (len(world.contacts), True) == (2, True)
    monkeypatch.setattr("aisha_app.api.contacts.COUNT_CAP", 1)  # counted no further than 1 + 1
    body = client.get("/api/contacts", params={"limit": 1}, headers=agent).json()
    assert (body["total"], body["total_exact"], len(body["items"])) == (1, False, 1)
    body = client.get("/api/contacts", params={"q": "Wanjiru"}, headers=agent).json()
    assert (body["total"], body["total_exact"]) == (1, True)
